#!/usr/bin/env python3
"""Drives the web page in headless Chromium (Debian's chromium + chromium-driver, Selenium from
PyPI), as WebUIBrowserTests asks: log in, open the board, follow a state link, find one bar per
hold, zoom by range, open a hold's evidence, log out and be refused; no console errors.
Prints one line per step; exits 1 with the reason at the first failure."""
import argparse, json, sys, time
from urllib.parse import urlparse, parse_qs

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

p = argparse.ArgumentParser()
p.add_argument("--url", required=True)           # the page's root, base path included, no trailing slash
p.add_argument("--token", required=True)         # a read token
p.add_argument("--state", required=True)
p.add_argument("--holds", required=True)         # comma-separated lock IDs the state has
p.add_argument("--forced", required=True)        # the forced hold's lock ID
p.add_argument("--actor", required=True)         # who forced it (a substring)
p.add_argument("--zoom-since", required=True)
p.add_argument("--zoom-until", required=True)
p.add_argument("--zoom-holds", required=True)    # lock IDs in the zoomed range
p.add_argument("--screenshots", default="")      # a folder for board.png and state.png
a = p.parse_args()

def fail(msg):
    print("FAIL: " + msg, flush=True)
    try:
        print("--- page at " + driver.current_url + "\n" + driver.find_element(By.TAG_NAME, "body").text[:3000])
    except Exception:
        pass
    sys.exit(1)

def step(msg):
    print("ok: " + msg, flush=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1440,1000",
            "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
    options.add_argument(arg)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)

def console_errors(where):
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    if errors:
        fail("console errors on %s: %s" % (where, json.dumps(errors)))

def path(url):
    return urlparse(url).path

def wait_for(paths, previous):
    """Waits until the browser has left `previous` (a click navigates asynchronously) and is on one of `paths`."""
    deadline = time.time() + 15
    while time.time() < deadline:
        if driver.current_url != previous and path(driver.current_url) in paths and driver.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.05)

def click_and_wait(element, *paths):
    previous = driver.current_url
    element.click()
    wait_for(paths, previous)

base_path = path(a.url)
try:
    # Without a session every page sends the browser to the login form.
    driver.get(a.url + "/ui/state?state=" + a.state)
    if path(driver.current_url) != base_path + "/ui/login":
        fail("a page without a session did not redirect to the login page: " + driver.current_url)
    step("no session: redirected to " + path(driver.current_url))
    console_errors("the login page")

    # A wrong token is refused and says why.
    driver.find_element(By.ID, "token").send_keys("lt_wrong")
    driver.find_element(By.ID, "login").click()
    # The click returns before the answer's page has loaded on a fast machine: wait for it.
    error = WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "login-error"))
    if "not valid" not in error[0].text:
        fail("a wrong token was not refused with a reason")
    step("a wrong token is refused")
    driver.get_log("browser")  # the 401 of that answer is the browser's own log line, not a page error

    driver.get(a.url + "/")
    driver.find_element(By.ID, "token").send_keys(a.token)
    click_and_wait(driver.find_element(By.ID, "login"), base_path + "/", base_path)
    if path(driver.current_url) not in (base_path + "/", base_path):
        fail("login did not lead to the board: " + driver.current_url)
    if "Locks held" not in driver.page_source:
        fail("the board has no 'Locks held' section")
    cookies = {c["name"]: c for c in driver.get_cookies()}
    session = cookies.get("locktrail_session")
    if not session or not session.get("httpOnly") or session.get("sameSite") != "Strict" or not session.get("expiry"):
        fail("the session cookie is not HttpOnly, SameSite=Strict and expiring: %r" % session)
    step("logged in; the session cookie is HttpOnly, SameSite=Strict, expiring")
    console_errors("the board")
    forced_rows = driver.find_elements(By.CSS_SELECTOR, "table.forced-table td.forced-by")
    if not any(a.actor in r.text for r in forced_rows):
        fail("the board's force-removals do not name the actor %r" % a.actor)
    step("the board lists the force-removal with its actor")
    if a.screenshots:
        driver.save_screenshot(a.screenshots + "/board.png")

    links = [l for l in driver.find_elements(By.CSS_SELECTOR, "a.state-link") if l.text == a.state]
    if not links:
        fail("the board has no link to the state " + a.state)
    click_and_wait(links[0], base_path + "/ui/state")
    if path(driver.current_url) != base_path + "/ui/state":
        fail("the state link led to " + driver.current_url)
    console_errors("the state page")
    bars = driver.find_elements(By.CSS_SELECTOR, "svg.timeline g.hold")
    drawn = sorted(b.get_attribute("data-lock-id") for b in bars)
    expected = sorted(a.holds.split(","))
    if drawn != expected:
        fail("the timeline draws holds %s, the state has %s" % (drawn, expected))
    step("one bar per hold: %d" % len(bars))
    forced = [b for b in bars if b.get_attribute("data-lock-id") == a.forced][0]
    if "hold-forced" not in forced.get_attribute("class"):
        fail("the forced hold is not drawn as forced: " + forced.get_attribute("class"))
    title = forced.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    if "forced by" not in title or a.actor not in title:
        fail("the forced bar does not name the actor: " + title)
    step("the forced hold is drawn as forced, by " + a.actor)
    if not driver.find_elements(By.CSS_SELECTOR, "svg.timeline g.write"):
        fail("no write ticks on the timeline")
    if not driver.find_elements(By.CSS_SELECTOR, "svg.timeline g.mark-force"):
        fail("no force-unlock mark on the timeline")
    step("writes and the force-unlock are on the timeline")
    if a.screenshots:
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(a.screenshots + "/state.png")

    # Zoom by range: the range goes into the URL, and only the holds in it are drawn.
    for name, value in (("since", a.zoom_since), ("until", a.zoom_until)):
        field = driver.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    click_and_wait(driver.find_element(By.ID, "zoom-apply"), base_path + "/ui/state")
    q = parse_qs(urlparse(driver.current_url).query)
    if q.get("since") != [a.zoom_since] or q.get("until") != [a.zoom_until]:
        fail("the zoomed range is not in the URL: " + driver.current_url)
    zoomed = sorted(b.get_attribute("data-lock-id") for b in driver.find_elements(By.CSS_SELECTOR, "svg.timeline g.hold"))
    if zoomed != sorted(a.zoom_holds.split(",")):
        fail("zoomed, the timeline draws %s, expected %s" % (zoomed, a.zoom_holds))
    step("zoomed to %s – %s: %d bar(s), the range in the URL" % (a.zoom_since, a.zoom_until, len(zoomed)))
    console_errors("the zoomed state page")

    # A hold's bar links to its page, which shows its evidence; the evidence links to the events.
    click_and_wait(driver.find_element(By.CSS_SELECTOR, 'svg.timeline g.hold[data-lock-id="%s"]' % a.forced).find_element(By.XPATH, ".."),
                   base_path + "/ui/hold")
    if path(driver.current_url) != base_path + "/ui/hold":
        fail("the bar did not lead to the hold's page: " + driver.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#evidence-table tr.evidence-row")
    kinds = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
    if "lock.force_unlocked" not in kinds or "lock.acquired" not in kinds:
        fail("the hold's evidence lacks the acquire or the force-unlock: %s" % kinds)
    if a.actor not in driver.find_element(By.ID, "hold-fields").text:
        fail("the hold's page does not name who forced it")
    step("the hold's page shows its evidence: " + ", ".join(kinds))
    console_errors("the hold page")
    driver.get(a.url + "/ui/forced")
    if a.forced not in driver.page_source or not driver.find_elements(By.ID, "chain-head"):
        fail("the force-removal report lacks the hold or the chain head")
    click_and_wait(driver.find_elements(By.CSS_SELECTOR, "a.evidence-link")[0], base_path + "/ui/events")
    if path(driver.current_url) != base_path + "/ui/events" or not driver.find_elements(By.CSS_SELECTOR, "div.event pre"):
        fail("the evidence link did not show the events")
    step("the report's evidence link shows the events as stored")
    console_errors("the events page")

    # Log out: the session ends, and the pages refuse the browser again.
    click_and_wait(driver.find_element(By.ID, "logout"), base_path + "/ui/login")
    if path(driver.current_url) != base_path + "/ui/login":
        fail("logout did not lead to the login page: " + driver.current_url)
    driver.get(a.url + "/ui/hold?lock_id=" + a.forced)
    if path(driver.current_url) != base_path + "/ui/login":
        fail("after logout a page was still shown: " + driver.current_url)
    step("logged out; a page is refused (redirected to the login page)")
    console_errors("after logout")
    print("PASS", flush=True)
finally:
    driver.quit()
