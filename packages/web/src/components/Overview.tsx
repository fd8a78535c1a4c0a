import { memo, useEffect, useState } from 'react';
import { flipped } from '../derive.js';
import { useTopField } from '../hooks.js';
import { KeptToggles } from './SceneEditsStatus.js';
import { SearchBox } from './SearchBox.js';
import { VirtualTree } from './VirtualTree.js';

/** Instances (context first) on the left, plug-ins on the right, and a search over both. */
export const Overview = memo(function Overview() {
  const [query, setQuery] = useState('');
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());

  // Sections named in the host's HiddenSections setting start collapsed after every reset.
  const initialising = useTopField((t) => t?.phase === 'initialising');
  const hidden = useTopField((t) => t?.window.hiddenSections.join('\n') ?? '');
  useEffect(() => {
    if (initialising !== undefined) setCollapsed(new Set(hidden === '' ? [] : hidden.split('\n')));
  }, [initialising, hidden]);

  const toggleCollapsed = (key: string) => setCollapsed((prev) => flipped(prev, key));

  return (
    <div className="overview">
      <SearchBox
        label="Search instances and plug-ins"
        placeholder="Search instances and plug-ins.."
        value={query}
        onChange={setQuery}
      />
      <KeptToggles />
      <div className="columns">
        <VirtualTree
          kind="instances"
          label="Instances"
          query={query}
          collapsed={collapsed}
          onCollapse={toggleCollapsed}
        />
        <VirtualTree
          kind="plugins"
          label="Plug-ins"
          query={query}
          collapsed={collapsed}
          onCollapse={toggleCollapsed}
        />
      </div>
    </div>
  );
});
