#!/usr/bin/env node
// Installs localstripe (PyPI), the Stripe-compatible server the payment tests run against, into a
// virtual environment of its own under node_modules/.cache. CI (.ci/run) runs it before the tests.
import { installPythonPackage } from '../python-package.mjs';
import { localstripeVenv, localstripeVersion } from './paths.mjs';

installPythonPackage({ name: 'localstripe', version: localstripeVersion, venv: localstripeVenv });
