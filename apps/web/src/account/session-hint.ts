// Whether this browser had a session, remembered across reloads. The session cookies are
// httpOnly (JavaScript cannot see them), and the 15-minute access cookie simply disappears when
// it expires; this hint says a refresh is worth trying then. It grants nothing: the server
// decides. A guest never has it, so guests never send a refresh that can only fail.

const key = 'shop:signed-in';

export function hadSession(): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

export function rememberSession(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(key, '1');
    else localStorage.removeItem(key);
  } catch {
    // Storage disabled: the session still works, it just ends with its access cookie.
  }
}
