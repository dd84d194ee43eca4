import { Link } from '../link.tsx';
import { dismissNotice, useNotices } from './notices.ts';

/** Where notices appear, announced politely to screen readers. */
export function NoticeRegion() {
  const notices = useNotices();
  return (
    <div className="notice-region" role="status" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`toast toast--${notice.tone}`}>
          <div className="toast-body">
            <p className="toast-title">{notice.title}</p>
            {notice.lines?.length ? (
              <ul className="toast-lines">
                {notice.lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ) : null}
            {notice.action ? (
              <Link href={notice.action.href} className="toast-action" onClick={() => dismissNotice(notice.id)}>
                {notice.action.label}
              </Link>
            ) : null}
          </div>
          <button type="button" className="toast-close" onClick={() => dismissNotice(notice.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
