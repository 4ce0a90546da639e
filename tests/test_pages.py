"""The report and the summary in a real browser (headless Chromium, Debian's `chromium`): every
image decodes, every figure has alt text, and the page fits a 1,280-pixel window without
scrolling sideways.  CI installs Chromium and sets MORPHVEC_REQUIRE_BROWSER=1, which turns a
missing browser into a failure."""

import json
import os
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.workflow

CHECK = """<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var wide = Array.prototype.slice.call(document.querySelectorAll("body *")).filter(function (e) {
    return e.getBoundingClientRect().right > document.documentElement.clientWidth + 1;
  });
  var report = {
    viewport: document.documentElement.clientWidth,
    page_width: document.documentElement.scrollWidth,
    images: images.length,
    broken: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
      .map(function (i) { return i.alt; }),
    without_alt: images.filter(function (i) { return !i.alt; }).length,
    wide: wide.slice(0, 5).map(function (e) { return e.tagName + "." + e.className; })
  };
  var pre = document.createElement("pre");
  pre.id = "morphvec-check";
  pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
});
</script>"""


def browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def chromium():
    found = browser()
    if found is None:
        if os.environ.get("MORPHVEC_REQUIRE_BROWSER") == "1":
            pytest.fail("no Chromium, but MORPHVEC_REQUIRE_BROWSER=1: `apt-get install -y chromium`")
        pytest.skip("no Chromium (apt-get install -y chromium); CI installs it")
    return found


def checked(chromium: str, page, tmp_path) -> dict:
    """What the browser finds on ``page``: a copy of it with the check script, loaded at 1,280 px."""
    copy = tmp_path / f"{page.stem}.checked.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", CHECK + "</body>"), encoding="utf-8")
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,4000"]
    command += ["--virtual-time-budget=15000", "--dump-dom", copy.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="morphvec-check">(.*?)</pre>', done.stdout)
    assert found, done.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.mark.parametrize("run", ["ko_tiny", "ko_kiwi_jamo", "en_tiny"])
def test_the_report_renders_in_a_browser(chromium, workflow_run, tmp_path, run):
    result = checked(chromium, workflow_run / "results" / run / "report/report.html", tmp_path)
    assert result["images"] >= 4 and result["broken"] == [] and result["without_alt"] == 0, result
    assert result["page_width"] <= result["viewport"] and result["wide"] == [], result


def test_the_summary_renders_in_a_browser(chromium, workflow_run, tmp_path):
    result = checked(chromium, workflow_run / "results/summary.html", tmp_path)
    assert result["broken"] == [] and result["without_alt"] == 0, result
    assert result["page_width"] <= result["viewport"] and result["wide"] == [], result


def test_the_check_itself_catches_what_it_is_for(chromium, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html><body><img src="data:image/png;base64,AAAA">'
        '<table><tr><td style="min-width:3000px">wide</td></tr></table></body></html>',
        encoding="utf-8",
    )
    result = checked(chromium, page, tmp_path)
    assert result["broken"] == [""] and result["without_alt"] == 1 and result["page_width"] > result["viewport"]
