import { Component, Suspense, type ErrorInfo, type ReactNode } from 'react';

/** Shown while a page's code or first data loads. */
export function PageLoading({ label }: { label?: string }) {
  return (
    <div className="page-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className={label ? 'page-loading-label' : 'visually-hidden'}>{label ?? 'Loading…'}</span>
    </div>
  );
}

interface BoundaryState {
  error: Error | null;
}

/**
 * Catches what a page throws while rendering, most often its code failing to download after a
 * deploy replaced it: the rest of the site keeps working, and a reload fetches the new code.
 */
class PageErrorBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: null };

  static getDerivedStateFromError(error: Error): BoundaryState {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('page failed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="notice" role="alert">
        <h1>This page could not be shown</h1>
        <p>Something went wrong while loading it. Reloading usually helps.</p>
        <div className="notice-actions">
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>
          <a href="/" className="button button--quiet">
            Go to the catalogue
          </a>
        </div>
      </div>
    );
  }
}

/** Each page loads its own code (and fails) on its own. `resetKey` starts over on another page. */
export function PageBoundary({ resetKey, children }: { resetKey: string; children: ReactNode }) {
  return (
    <PageErrorBoundary key={resetKey}>
      <Suspense fallback={<PageLoading />}>{children}</Suspense>
    </PageErrorBoundary>
  );
}
