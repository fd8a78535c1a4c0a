import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App.js';
import { connect, forgetToken } from './connection.js';
import { Services } from './hooks.js';
import { ViewStore } from './store.js';
import './styles.css';

forgetToken();
const store = new ViewStore();
const connection = connect(store);
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
