import Foundation
import LocktrailCrypto

/// The page's style sheet and its one small script, embedded in the binary (no CDN, no network).
enum WebAssets {
    /// The Content-Security-Policy source of the inline style sheet: only it may style the page.
    static let cssHash = hashSource(css)
    /// The Content-Security-Policy source of the inline script: no other script may run.
    static let jsHash = hashSource(js)

    static func hashSource(_ text: String) -> String {
        "'sha256-" + Data(Digest.sha256(text)).base64EncodedString() + "'"
    }

    /// Light and dark mode follow the browser's `prefers-color-scheme`.
    static let css = """
        :root { color-scheme: light dark; --bg:#fbfbfa; --fg:#1d2025; --muted:#646b75; --line:#d9dce1; --panel:#fff;
          --accent:#1f5fbf; --held:#1d8a4e; --released:#3b6fc4; --forced:#c2410c; --unknown:#7a7f87; --bad:#c81e1e;
          --warn:#b7791f; --gap:#8b8f97; --hatch-bg:rgba(59,111,196,.12); }
        @media (prefers-color-scheme: dark) { :root { --bg:#15171b; --fg:#e6e8eb; --muted:#9aa1ab; --line:#30343b; --panel:#1c1f24;
          --accent:#7aa7ff; --held:#3fbf7a; --released:#6f9cf0; --forced:#f0803c; --unknown:#9aa1ab; --bad:#ff5a5a;
          --warn:#e0a84a; --gap:#6d727a; --hatch-bg:rgba(111,156,240,.16); } }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
        header { display:flex; gap:1.2rem; align-items:center; padding:.6rem 1.2rem; border-bottom:1px solid var(--line); background:var(--panel); flex-wrap:wrap; }
        header .brand { font-weight:700; color:var(--fg); text-decoration:none; }
        header nav a { margin-right:1rem; }
        header form { margin:0; }
        header .spacer { flex:1; }
        main { padding:1rem 1.2rem 3rem; max-width:1400px; }
        a { color:var(--accent); }
        h1 { font-size:1.35rem; margin:.4rem 0 1rem; word-break:break-all; } h2 { font-size:1.1rem; margin:1.6rem 0 .5rem; }
        table { border-collapse:collapse; width:100%; background:var(--panel); font-size:13px; }
        th, td { text-align:left; padding:.3rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
        th { color:var(--muted); font-weight:600; white-space:nowrap; }
        td.mono, .mono { font-family:ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; }
        .muted { color:var(--muted); } .bounded { color:var(--muted); }
        .badge { display:inline-block; padding:0 .45rem; border-radius:.6rem; font-size:12px; border:1px solid currentColor; white-space:nowrap; }
        .b-held { color:var(--held); } .b-released { color:var(--released); } .b-forced { color:var(--forced); font-weight:700; }
        .b-unknown { color:var(--unknown); } .b-unlocked { color:var(--bad); font-weight:700; } .b-ambiguous { color:var(--warn); }
        .b-locked { color:var(--held); } .b-stale { color:var(--bad); }
        tr.stale td { background:rgba(200,30,30,.08); }
        .panel { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:.8rem 1rem; margin:.6rem 0; }
        .error { border-color:var(--bad); color:var(--bad); }
        form.inline { display:inline-flex; gap:.4rem; align-items:center; flex-wrap:wrap; }
        input[type=text], input[type=password], input[type=search] { padding:.3rem .45rem; border:1px solid var(--line); border-radius:4px; background:var(--bg); color:var(--fg); min-width:14rem; }
        button { padding:.3rem .8rem; border:1px solid var(--line); border-radius:4px; background:var(--panel); color:var(--fg); cursor:pointer; }
        .legend { display:flex; flex-wrap:wrap; gap:1rem; font-size:12px; color:var(--muted); margin:.4rem 0; }
        .legend i { display:inline-block; width:22px; height:10px; vertical-align:middle; margin-right:.3rem; border-radius:2px; }
        .zoom { display:flex; gap:.8rem; align-items:center; flex-wrap:wrap; margin:.4rem 0 .6rem; }
        .timeline-wrap { overflow-x:auto; background:var(--panel); border:1px solid var(--line); border-radius:6px; }
        svg.timeline { width:100%; min-width:900px; display:block; font-size:11px; }
        svg .tick, svg .row-label { fill:var(--muted); } svg .grid { stroke:var(--line); stroke-width:1; }
        svg .row-rule { stroke:var(--line); }
        svg .hold .certain { fill:var(--released); } svg .hold-held .certain { fill:var(--held); }
        svg .hold-forced .certain { fill:var(--forced); } svg .hold-unknown .certain { fill:var(--unknown); }
        svg .hatch-bg { fill:var(--hatch-bg); } svg .hatch-line { stroke:var(--released); opacity:.55; }
        svg .hold .uncertain { stroke:var(--released); stroke-dasharray:3 2; stroke-width:1; }
        svg .hold-forced .uncertain { stroke:var(--forced); } svg .hold-held .uncertain { stroke:var(--held); }
        svg .bar-label { fill:#fff; font-weight:600; pointer-events:none; paint-order:stroke; stroke:rgba(0,0,0,.35); stroke-width:2px; }
        svg .end-note { fill:var(--held); font-weight:600; }
        svg .forced-mark { fill:var(--forced); }
        svg .hold:hover rect { filter:brightness(1.15); }
        svg .write .tick-line { stroke:var(--fg); stroke-width:2; } svg .write .hit { fill:transparent; }
        svg .write-ambiguous .tick-line { stroke:var(--warn); stroke-dasharray:3 2; }
        svg .write-unknown .tick-line { stroke:var(--unknown); stroke-dasharray:1 2; }
        svg .write-unlocked .tick-line { stroke:var(--bad); stroke-width:3; }
        svg .write-span { fill:var(--muted); opacity:.35; }
        svg .unlocked-mark { fill:var(--bad); } svg .unlocked-label { fill:var(--bad); font-weight:700; }
        svg .regression-label { fill:var(--bad); font-weight:700; font-size:10px; }
        svg .gap-band { stroke:none; } svg .gap-line { stroke:var(--gap); opacity:.5; }
        svg .mark-contention path { fill:var(--warn); stroke:var(--panel); }
        svg .mark-force circle { fill:var(--forced); stroke:var(--panel); } svg .mark-glyph { fill:#fff; font-weight:700; font-size:9px; }
        svg .mark-release-failed rect { fill:var(--bad); }
        pre { white-space:pre-wrap; word-break:break-all; background:var(--bg); border:1px solid var(--line); padding:.5rem; border-radius:4px; font-size:12px; }
        dl.fields { display:grid; grid-template-columns:max-content 1fr; gap:.25rem 1rem; margin:0; }
        dl.fields dt { color:var(--muted); } dl.fields dd { margin:0; word-break:break-all; }
        .login { max-width:28rem; margin:4rem auto; } .login input[type=password] { width:100%; }
        .l-certain { background:var(--released); } .l-bounded { background:var(--hatch-bg); border:1px dashed var(--released); }
        .l-held { background:var(--held); } .l-forced { background:var(--forced); } .l-gap { background:var(--gap); opacity:.5; }
        .c-warn { color:var(--warn); } .c-unknown { color:var(--unknown); } .c-bad { color:var(--bad); } .c-forced { color:var(--forced); }
        """

    /// Adds the local time to each UTC time's hover text. The page reads the same without it.
    static let js = """
        document.querySelectorAll('time[datetime]').forEach(function (e) {
          var d = new Date(e.getAttribute('datetime'));
          if (!isNaN(d)) { e.title = e.getAttribute('datetime') + ' UTC\\nlocal: ' + d.toLocaleString(); }
        });
        """
}
