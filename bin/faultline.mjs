#!/usr/bin/env node
import '../src/cli/boot.mjs';
