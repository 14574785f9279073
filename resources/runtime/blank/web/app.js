// A blank TrendForge app: every item of the content (strings, or objects shown by their first text field).
"use strict";
const optional = url => fetch(url).then(r => (r.ok ? r.json() : {})).catch(() => ({}));
Promise.all([fetch("content.json").then(r => r.json()), optional("app.json")]).then(([content, app]) => {
  if (app.app_name) { document.getElementById("app-name").textContent = app.app_name; document.title = app.app_name; }
  if (app.theme_color) document.documentElement.style.setProperty("--brand", app.theme_color);
  if (app.accent_color) document.documentElement.style.setProperty("--accent", app.accent_color);
  const items = Object.values(content).find(Array.isArray) || [];
  document.getElementById("items").replaceChildren(...items.map(item => {
    const li = document.createElement("li");
    li.textContent = typeof item === "string" ? item : String(Object.values(item).find(v => typeof v === "string") || "");
    return li;
  }));
  document.documentElement.dataset.ready = "1";
});
