// The lab's small behaviours: copy buttons, "Edit" into the editor, run tokens and Cancel.
// Loaded once per page even when several port panels include it.
(function () {
  if (window.meshLab) return;
  window.meshLab = true;

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }

  function panelOf(el) { return el.closest(".lab"); }

  document.addEventListener("click", function (ev) {
    var copy = ev.target.closest("[data-copy]");
    if (copy) {
      var text = copy.getAttribute("data-copy");
      var done = function () { var old = copy.textContent; copy.textContent = "Copied"; setTimeout(function () { copy.textContent = old; }, 1200); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {  // plain http on a LAN host: fall back to a hidden textarea
        var ta = document.createElement("textarea");
        ta.value = text; ta.style.position = "fixed"; ta.style.opacity = "0";
        document.body.appendChild(ta); ta.select();
        try { document.execCommand("copy"); done(); } finally { ta.remove(); }
      }
      return;
    }
    var edit = ev.target.closest("[data-lab-edit]");
    if (edit) {
      var area = document.getElementById("lab-sql-" + edit.getAttribute("data-lab-edit"));
      if (area) { area.value = edit.getAttribute("data-sql"); area.focus(); area.scrollIntoView({block: "center"}); }
      return;
    }
    var csv = ev.target.closest("[data-lab-csv]");
    if (csv) {  // a plain POST so that the browser downloads the file
      var editor = csv.closest("form");
      var f = document.createElement("form");
      f.method = "post"; f.action = csv.getAttribute("data-lab-csv"); f.hidden = true;
      [["sql", editor.querySelector("textarea[name=sql]").value], ["csrfmiddlewaretoken", csrfToken()]].forEach(function (kv) {
        var i = document.createElement("input"); i.type = "hidden"; i.name = kv[0]; i.value = kv[1]; f.appendChild(i);
      });
      document.body.appendChild(f); f.submit(); f.remove();
      return;
    }
    var cancel = ev.target.closest("[data-lab-cancel]");
    if (cancel) {
      var panel = panelOf(cancel);
      var token = panel && panel.getAttribute("data-lab-token");
      if (!token) return;
      cancel.disabled = true;
      var body = new URLSearchParams({token: token});
      fetch("/lab/runs/cancel/", {method: "POST", body: body, headers: {"X-CSRFToken": csrfToken()}, credentials: "same-origin"});
    }
  });

  // Every run carries a fresh token, so that Cancel names exactly this run.
  document.addEventListener("htmx:configRequest", function (ev) {
    var form = ev.detail.elt.closest && ev.detail.elt.closest("[data-lab-run]");
    if (!form) return;
    var panel = panelOf(form);
    var token = newToken();
    // A sample query's Run also puts its SQL in the editor: what ran is what you see.
    var area = panel && panel.querySelector(".lab-editor textarea[name=sql]");
    if (area && !form.classList.contains("lab-editor") && ev.detail.parameters.sql) area.value = ev.detail.parameters.sql;
    ev.detail.parameters.token = token;
    if (panel) {
      panel.setAttribute("data-lab-token", token);
      panel.querySelectorAll("[data-lab-cancel]").forEach(function (b) { b.hidden = false; b.disabled = false; });
      panel.querySelectorAll(".lab-spinner").forEach(function (s) { s.textContent = "Running…"; });
    }
  });

  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.detail.elt.closest && ev.detail.elt.closest("[data-lab-run]");
    if (!form) return;
    var panel = panelOf(form);
    if (!panel) return;
    panel.removeAttribute("data-lab-token");
    var results = panel.querySelector(".lab-results");
    if (results) results.scrollIntoView({block: "nearest"});
    panel.querySelectorAll("[data-lab-cancel]").forEach(function (b) { b.hidden = true; });
    panel.querySelectorAll(".lab-spinner").forEach(function (s) { s.textContent = ""; });
  });
})();
