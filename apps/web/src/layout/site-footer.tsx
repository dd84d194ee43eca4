export function SiteFooter() {
  return (
    <footer className="site-footer">
      <div className="container">
        <p>Shop · a storefront on a typed API</p>
      </div>
    </footer>
  );
}
