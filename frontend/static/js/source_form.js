// The add/edit source form: fields of the chosen kind, assembled into the JSON config box.
// The JSON box stays the source of truth (and the form works without this script); the
// fields only write the keys they know, and a DSN builder writes PostgreSQL's "dsn".
(function () {
  "use strict";
  const specsNode = document.getElementById("source-kind-fields");
  const kind = document.getElementById("id_kind");
  const config = document.getElementById("id_config");
  const box = document.getElementById("kind-fields");
  if (!specsNode || !kind || !config || !box) return;
  const specs = JSON.parse(specsNode.textContent);

  function parsed() {
    try {
      const value = JSON.parse(config.value || "{}");
      return value && typeof value === "object" && !Array.isArray(value) ? value : {};
    } catch (e) {
      return null; // the person is typing JSON by hand: leave it alone
    }
  }

  function input(id, label, value, attrs) {
    const wrap = document.createElement("div");
    wrap.className = "field";
    const l = document.createElement("label");
    l.htmlFor = id;
    l.textContent = label;
    const i = document.createElement("input");
    i.id = id;
    Object.assign(i, attrs || {});
    if (i.type === "checkbox") {
      i.checked = value !== false;
      l.prepend(i);
      wrap.append(l);
    } else {
      i.value = value == null ? "" : value;
      wrap.append(l, i);
    }
    return [wrap, i];
  }

  function dsnParts(dsn) {
    try {
      const u = new URL(dsn.replace(/^postgres(ql)?:/, "http:"));
      return { host: u.hostname, port: u.port || "5432", database: u.pathname.replace(/^\//, ""), user: decodeURIComponent(u.username) };
    } catch (e) {
      return { host: "", port: "5432", database: "", user: "" };
    }
  }

  function render() {
    box.replaceChildren();
    const fields = specs[kind.value] || [];
    const cfg = parsed() || {};
    if (!fields.length) return;
    const legend = document.createElement("legend");
    legend.textContent = "Settings of a " + kind.options[kind.selectedIndex].text + " source";
    box.append(legend);
    for (const f of fields) {
      if (f.type === "dsn") {
        const parts = dsnParts(cfg[f.key] || "");
        const group = document.createElement("div");
        group.className = "dsn-builder";
        group.dataset.key = f.key;
        for (const [part, label, placeholder] of [["host", "Host", "db.internal"], ["port", "Port", "5432"], ["database", "Database", "analytics"], ["user", "User", "harvester"]]) {
          const [wrap, i] = input(`cfg-${f.key}-${part}`, label, parts[part], { placeholder: placeholder, type: part === "port" ? "number" : "text" });
          i.dataset.dsnPart = part;
          group.append(wrap);
        }
        const help = document.createElement("small");
        help.className = "muted";
        help.textContent = f.help;
        group.append(help);
        box.append(group);
        continue;
      }
      let value = cfg[f.key];
      if (f.type === "list" && Array.isArray(value)) value = value.join(", ");
      const [wrap, i] = input(`cfg-${f.key}`, f.label + (f.required ? " (required)" : ""), value, {
        type: f.type === "bool" ? "checkbox" : f.type === "int" ? "number" : "text",
        placeholder: f.placeholder || "",
      });
      i.dataset.key = f.key;
      i.dataset.type = f.type;
      if (f.help) {
        const help = document.createElement("small");
        help.className = "muted";
        help.textContent = f.help;
        wrap.append(help);
      }
      box.append(wrap);
    }
  }

  function write() {
    const cfg = parsed();
    if (cfg === null) return;
    for (const group of box.querySelectorAll(".dsn-builder")) {
      const part = (name) => (group.querySelector(`[data-dsn-part="${name}"]`).value || "").trim();
      const host = part("host"), database = part("database"), user = part("user"), port = part("port") || "5432";
      if (host || database) cfg[group.dataset.key] = `postgresql://${user ? encodeURIComponent(user) + "@" : ""}${host || "localhost"}:${port}/${database}`;
      else delete cfg[group.dataset.key];
    }
    for (const i of box.querySelectorAll("input[data-key]")) {
      const key = i.dataset.key, type = i.dataset.type, raw = (i.value || "").trim();
      if (type === "bool") cfg[key] = i.checked;
      else if (!raw) delete cfg[key];
      else if (type === "list") cfg[key] = raw.split(",").map((s) => s.trim()).filter(Boolean);
      else if (type === "int") cfg[key] = parseInt(raw, 10);
      else cfg[key] = raw;
    }
    config.value = JSON.stringify(cfg, null, 2);
  }

  kind.addEventListener("change", () => {
    config.value = "{}"; // another kind: the previous kind's keys would be refused as unknown
    render();
    write();
  });
  box.addEventListener("input", write);
  box.addEventListener("change", write);
  render();
})();
