import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App.js';
import { connect, takeSecret } from './connection.js';
import { Services } from './hooks.js';
import { ViewStore } from './store.js';
import './styles.css';

const store = new ViewStore();
const connection = connect(store, takeSecret());
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Services.Provider value={{ store, connection }}>
        <App />
      </Services.Provider>
    </StrictMode>,
  );
}
