#!/usr/bin/env node
// Installs localstripe (PyPI), the Stripe-compatible server the payment tests run against, into a
// virtual environment of its own under node_modules/.cache (never committed). Needs Python 3.9+
// with its venv module (Debian: apt-get install python3-venv). Does nothing when it is there
// already, so it works offline once installed. CI (.ci/run) runs it before the tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { localstripePython, localstripeVenv, localstripeVersion } from './paths.mjs';

if (existsSync(localstripePython) && isInstalled()) {
  console.log(`localstripe ${localstripeVersion} is installed (${localstripeVenv})`);
} else {
  const python = process.env.PYTHON ?? 'python3';
  try {
    execFileSync(python, ['-m', 'venv', '--clear', localstripeVenv], { stdio: 'inherit' });
    execFileSync(localstripePython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `localstripe==${localstripeVersion}`], {
      stdio: 'inherit',
    });
  } catch (error) {
    console.error(
      `Could not install localstripe ${localstripeVersion} with ${python}: it needs Python 3.9+ with venv ` +
        '(Debian: apt-get install python3-venv) and PyPI.',
    );
    throw error;
  }
  console.log(`localstripe ${localstripeVersion} installed (${localstripeVenv})`);
}

function isInstalled() {
  try {
    const version = execFileSync(localstripePython, ['-c', 'import importlib.metadata as m; print(m.version("localstripe"))'], { encoding: 'utf8' });
    return version.trim() === localstripeVersion;
  } catch {
    return false;
  }
}
