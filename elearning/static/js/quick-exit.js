// Quick exit: log out and leave for a neutral site without leaving this page in the tab's history.
// The link works without JavaScript (it only leaves); this script also ends the session, so that Back, which
// re-requests the earlier pages (they are sent with no-store), gets the login page. It adds Shift ×3.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  var target = link.getAttribute("data-exit-url") || link.href;
  var logoutUrl = link.getAttribute("data-logout-url");
  var FLAG = "relais-quick-exit";
  var leaving = false;

  // Send the logout without waiting for it: the beacon (or keepalive fetch) outlives this page.
  function logOut() {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (!logoutUrl || !token) { return; }  // not logged in: nothing to end
    var data = new FormData();
    data.append("csrf_token", token.getAttribute("content"));
    data.append("quick_exit", "1");
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(logoutUrl, data)) { return; }
    } catch (error) { /* fall back to fetch */ }
    try {
      window.fetch(logoutUrl, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
    } catch (error) { /* leaving matters more than logging out */ }
  }

  function leave(event) {
    if (event) { event.preventDefault(); }
    if (leaving) { return; }
    leaving = true;
    document.body.style.visibility = "hidden";
    try { window.sessionStorage.setItem(FLAG, "1"); } catch (error) { /* storage may be disabled */ }
    logOut();
    window.location.replace(target);
  }

  link.addEventListener("click", leave);

  // A page the browser restores from its back-forward cache is shown without asking the server: after a quick
  // exit in this tab, hide it and load it again, which now leads to the login page.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    var exited = leaving;
    try { exited = exited || window.sessionStorage.getItem(FLAG) === "1"; } catch (error) { /* storage disabled */ }
    if (exited) {
      document.body.style.visibility = "hidden";
      window.location.reload();
    }
  });

  // Count a Shift press only when Shift is released with no other key pressed meanwhile, so Shift+Tab
  // and capital letters never trigger the exit.
  var presses = [];
  var shiftAlone = false;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) { shiftAlone = true; }
    } else {
      shiftAlone = false;
      presses = [];
    }
  });
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift" || !shiftAlone) { return; }
    shiftAlone = false;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1500; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });
})();
