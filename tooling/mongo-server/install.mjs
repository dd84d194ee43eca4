#!/usr/bin/env node
// Fetches the offline database's jars ahead of time (CI does this before running the tests).
import { ensureJavaServerInstalled } from './index.mjs';

ensureJavaServerInstalled();
console.log('mongo-java-server is installed');
