#!/usr/bin/python3
# Opens a self-contained kdad HTML report in headless Chromium and fails on errors, external URLs or blank charts.
# Usage: check_html_report.py REPORT.html [--screenshot OUT.png] [--min-canvases N] [--expect-text TEXT ...]
# Exit 0: all checks passed; 1: any failure, including a crash of this script; 77: Chromium or
# ChromeDriver missing (CTest SKIP_RETURN_CODE). Standard library only: ChromeDriver's W3C HTTP API.
import argparse, base64, json, os, pathlib, signal, socket, subprocess, sys, tempfile, time
import urllib.error, urllib.parse, urllib.request

SKIP = 77
HTTP_TIMEOUT = 30
CHROMIUM = os.environ.get("KDAD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KDAD_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--no-first-run",
               "--hide-scrollbars", "--window-size=1280,900",
               # Every host name fails to resolve, so a report that is not self-contained breaks visibly.
               "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost"]

# Installed before any page script runs, so problems during the report's own startup are caught too.
# Capture phase is needed for 'error': resource load errors do not bubble up to window.
HOOK_JS = r"""(function () {
  var P = window.__kdadProblems = [];
  function fmt(a) {
    try { if (a instanceof Error) return a.name + ': ' + a.message;
          if (a !== null && typeof a === 'object') return JSON.stringify(a); } catch (e) {}
    return String(a);
  }
  ['error', 'warn'].forEach(function (k) {
    var orig = console[k];
    console[k] = function () {
      P.push('console.' + k + ': ' + Array.prototype.map.call(arguments, fmt).join(' '));
      return orig.apply(console, arguments);
    };
  });
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName)
      P.push('failed to load <' + t.tagName.toLowerCase() + '> ' + (t.src || t.href || t.currentSrc || ''));
    else P.push(e.message + ' (' + (e.filename || '?') + ':' + e.lineno + ')');
  }, true);
  window.addEventListener('unhandledrejection', function (e) { P.push('unhandled rejection: ' + fmt(e.reason)); });
})();"""

# Every loaded resource and every URL-bearing attribute; Python decides what counts as external.
URLS_JS = r"""var res = performance.getEntriesByType('resource').map(function (e) { return e.name; });
var attrs = [];
document.querySelectorAll('[src],[href],[srcset],[poster],[action]').forEach(function (el) {
  ['src', 'href', 'poster', 'action'].forEach(function (a) {
    var v = el.getAttribute(a); if (v !== null) attrs.push([el.tagName.toLowerCase(), a, v.trim()]);
  });
  var s = el.getAttribute('srcset');
  if (s) s.split(',').forEach(function (c) { attrs.push([el.tagName.toLowerCase(), 'srcset', c.trim().split(/\s+/)[0]]); });
});
return {resources: res, attrs: attrs};"""

# Chart.js draws on a transparent canvas, so "drawn" means at least one pixel with non-zero alpha.
CANVAS_JS = r"""var heads = Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'));
return Array.from(document.querySelectorAll('canvas')).map(function (c, i) {
  var r = {name: c.id ? '#' + c.id : 'canvas[' + i + ']', w: c.width, h: c.height, drawn: false, err: null};
  var prev = heads.filter(function (h) { return h.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING; }).pop();
  r.heading = prev ? prev.innerText.trim().slice(0, 80) : '';
  if (c.width && c.height) try {
    var ctx = c.getContext('2d');
    if (!ctx) {  // WebGL/bitmaprenderer canvas: copy it onto a 2D canvas to read it back.
      var tmp = document.createElement('canvas'); tmp.width = c.width; tmp.height = c.height;
      ctx = tmp.getContext('2d'); ctx.drawImage(c, 0, 0);
    }
    var d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (var k = 3; k < d.length; k += 4) if (d[k]) { r.drawn = true; break; }
  } catch (e) { r.err = String(e); }
  return r;
});"""


class WebDriverError(Exception):
    """An error answer from ChromeDriver, carrying the W3C error code (e.g. 'unknown command')."""
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


UNSUPPORTED = ("unknown command", "unknown method", "unsupported operation")


class Driver:
    """Minimal W3C WebDriver client; every request has a timeout so a hung browser cannot hang the test."""
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None, timeout=HTTP_TIMEOUT):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:  # W3C errors arrive as HTTP 4xx/5xx with a JSON body.
            try:
                v = json.loads(e.read()).get("value", {})
            except ValueError:
                v = {}
            raise WebDriverError(v.get("error", f"HTTP {e.code}"), (v.get("message") or "").split("\n")[0]) from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def js(self, script):
        return self.s("POST", "/execute/sync", {"script": script, "args": []})

    def cdp(self, cmd, params=None):
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params or {}})


def run_checks(drv, args, report_url):
    """Returns (failure lines, success summary); prints notes as it goes."""
    fails = []
    problems = drv.js("return window.__kdadProblems || null;")
    if problems is None:
        fails.append("problem hook was not installed (window.__kdadProblems missing)")
        problems = []
    fails += [f"page problem: {p}" for p in problems]
    # Read the browser log before the canvas readback, which could itself log performance warnings.
    try:
        log = drv.s("POST", "/se/log", {"type": "browser"}) or []
        fails += [f"browser log {e.get('level')}: {e.get('message')}" for e in log
                  if e.get("level") in ("SEVERE", "WARNING")]
    except WebDriverError as e:
        if e.code not in UNSUPPORTED:
            raise
        print(f"note: browser log unavailable ({e}); relying on the in-page hook only")

    urls = drv.js(URLS_JS)
    own = urllib.parse.unquote(report_url)
    bad = set()
    for r in urls["resources"]:
        if not (r.startswith(("data:", "blob:")) or urllib.parse.unquote(r.split("#")[0]) == own):
            bad.add(r)
            fails.append(f"loaded a resource that is not embedded: {r}")
    for tag, attr, v in urls["attrs"]:
        if v.lower().startswith(("http:", "https:", "//", "ftp:")) and v not in bad:
            bad.add(v)
            fails.append(f"external URL in <{tag} {attr}>: {v}")

    canvases = drv.js(CANVAS_JS)
    drawn = sum(1 for c in canvases if c["drawn"])
    if len(canvases) < args.min_canvases:
        fails.append(f"found {len(canvases)} <canvas> elements, expected at least {args.min_canvases}")
    for c in canvases:
        where = f"{c['name']}" + (f" (under heading '{c['heading']}')" if c["heading"] else "")
        if not (c["w"] and c["h"]):
            fails.append(f"canvas {where} has zero size {c['w']}x{c['h']}")
        elif c["err"]:
            fails.append(f"canvas {where} could not be read back: {c['err']}")
        elif not c["drawn"]:
            fails.append(f"canvas {where} is blank")

    text = drv.js("return document.body ? document.body.innerText : '';")
    fails += [f"expected text not found: {t!r}" for t in args.expect_text if t not in text]
    return fails, f"ok: {drawn} canvases drawn, {len(problems)} console problems, {len(bad)} external URLs"


def screenshot(drv, out):
    # A viewport as tall as the page makes captureBeyondViewport grab everything in one image.
    height = drv.js("return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);")
    drv.cdp("Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": max(1, min(int(height), 16000)), "deviceScaleFactor": 1, "mobile": False})
    time.sleep(0.5)  # responsive charts redraw after the resize
    shot = drv.cdp("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"screenshot: {out} (1280x{min(int(height), 16000)})")


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit 2; the test contract is 1 for every failure.
        self.print_usage(sys.stderr)
        print(f"FAIL: {message}")
        sys.exit(1)


def main():
    p = Parser(description="Check a self-contained HTML report in headless Chromium.")
    p.add_argument("report")
    p.add_argument("--screenshot", metavar="OUT.png")
    p.add_argument("--min-canvases", type=int, default=1, metavar="N")
    p.add_argument("--expect-text", action="extend", nargs="+", default=[], metavar="TEXT")
    args = p.parse_args()

    for what, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f"SKIP: {what} not found at {path}")
            return SKIP
    report = pathlib.Path(args.report).resolve()
    if not report.is_file():
        print(f"FAIL: report not found: {report}")
        return 1

    with socket.socket() as sock:  # let the kernel pick a free port for ChromeDriver
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tempfile.TemporaryFile()
    # A new session makes ChromeDriver and the browsers it spawns one process group we can kill wholesale.
    proc = subprocess.Popen([CHROMEDRIVER, f"--port={port}"], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    drv = Driver(port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if (drv.call("GET", "/status", timeout=2) or {}).get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError("chromedriver did not become ready: " + log.read().decode(errors="replace")[-500:])
            time.sleep(0.1)
        caps = {"browserName": "chrome", "pageLoadStrategy": "normal",
                "timeouts": {"pageLoad": 30000, "script": 30000},
                "goog:chromeOptions": {"binary": CHROMIUM, "args": CHROME_ARGS},
                "goog:loggingPrefs": {"browser": "ALL"}}
        drv.session = drv.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]
        drv.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK_JS})
        drv.s("POST", "/url", {"url": report.as_uri()})
        deadline = time.monotonic() + 30
        while drv.js("return document.readyState;") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError("page did not finish loading within 30 s")
            time.sleep(0.1)
        time.sleep(1.0)  # let charts render after the load event

        fails, summary = run_checks(drv, args, report.as_uri())
        for f in fails:
            print(f"FAIL: {f}")
        if args.screenshot:  # also taken on failure: it is the first thing to look at when debugging
            screenshot(drv, args.screenshot)
        if not fails:
            print(summary)
        return 1 if fails else 0
    finally:
        if drv.session:
            try:
                drv.call("DELETE", f"/session/{drv.session}")
            except Exception as e:  # keep cleaning up; the group kill below catches the browser
                print(f"note: could not delete session: {e}")
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any browser process left behind in our group
        except (ProcessLookupError, PermissionError):
            pass
        log.close()


if __name__ == "__main__":
    # A test timeout sends SIGTERM: turn it into SystemExit so the finally block still reaps the browser.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        code = main()
    except SystemExit:
        raise
    except BaseException as e:  # a crash must read as a failure (1), never as a skip (77)
        print(f"FAIL: checker error: {type(e).__name__}: {e}")
        code = 1
    sys.exit(code)
