#!/usr/bin/env node
// "#main" is the compiled program (dist/main.js); inside the repository, where the
// pyblish-source condition is on, it is src/main.ts run by tsx (see docs/ARCHITECTURE.md).
import '#main';
