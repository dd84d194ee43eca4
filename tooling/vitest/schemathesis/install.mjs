#!/usr/bin/env node
// Installs schemathesis (PyPI), which fuzzes the REST API from its OpenAPI document
// (apps/server/src/rest-api.schemathesis.test.ts), into a virtual environment of its own under
// node_modules/.cache. CI (.ci/run) runs it before the tests.
import { installPythonPackage } from '../python-package.mjs';
import { schemathesisVenv, schemathesisVersion } from './paths.mjs';

installPythonPackage({ name: 'schemathesis', version: schemathesisVersion, venv: schemathesisVenv });
