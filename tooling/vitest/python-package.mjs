// Installs one PyPI package, pinned, into a virtual environment of its own under
// node_modules/.cache (never committed): localstripe and schemathesis, which tests run. Needs
// Python 3.9+ with its venv module (Debian: apt-get install python3-venv). Does nothing when the
// version is there already, so it works offline once installed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** @param {{ name: string, version: string, venv: string }} pkg */
export function installPythonPackage({ name, version, venv }) {
  const venvPython = `${venv}/bin/python`;
  if (existsSync(venvPython) && installedVersion(venvPython, name) === version) {
    console.log(`${name} ${version} is installed (${venv})`);
    return;
  }
  const python = process.env.PYTHON ?? 'python3';
  try {
    execFileSync(python, ['-m', 'venv', '--clear', venv], { stdio: 'inherit' });
    execFileSync(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `${name}==${version}`], { stdio: 'inherit' });
  } catch (error) {
    console.error(`Could not install ${name} ${version} with ${python}: it needs Python 3.9+ with venv (Debian: apt-get install python3-venv) and PyPI.`);
    throw error;
  }
  console.log(`${name} ${version} installed (${venv})`);
}

function installedVersion(venvPython, name) {
  try {
    return execFileSync(venvPython, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(name)}))`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
