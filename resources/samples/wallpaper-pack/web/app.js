// Wallpaper Pack: a gallery of the pack's wallpapers; a tap shows one full size and saves it as a PNG.
"use strict";
let wallpapers = [];
const $ = id => document.getElementById(id);

function fill(el, w) {
  if (w.image) el.style.backgroundImage = `url("${encodeURI(w.image)}")`;
  else el.style.backgroundImage = `linear-gradient(160deg, ${w.colors.join(", ")})`;
  el.style.backgroundSize = "cover";
  el.style.backgroundPosition = "center";
}

function gallery() {
  $("gallery").replaceChildren(...wallpapers.map((w, i) => {
    const a = document.createElement("a");
    a.className = "tile";
    a.href = `#/w/${i}`;
    fill(a, w);
    const label = document.createElement("span");
    label.textContent = w.name;
    a.appendChild(label);
    return a;
  }));
  $("count").textContent = `${wallpapers.length} wallpapers`;
}

function rendered(w) {
  // a phone-sized PNG of a gradient wallpaper, drawn on a canvas (images in the pack are saved as they are)
  if (w.image) return w.image;
  const c = document.createElement("canvas");
  c.width = 1080; c.height = 1920;
  const g = c.getContext("2d");
  const grad = g.createLinearGradient(0, 0, c.width * 0.6, c.height);
  w.colors.forEach((col, i) => grad.addColorStop(w.colors.length > 1 ? i / (w.colors.length - 1) : 0, col));
  g.fillStyle = grad;
  g.fillRect(0, 0, c.width, c.height);
  return c.toDataURL("image/png");
}

function route() {
  const m = location.hash.match(/^#\/w\/(\d+)$/);
  const w = m ? wallpapers[Number(m[1])] : null;
  $("gallery").hidden = Boolean(w);
  $("detail").hidden = !w;
  if (!w) return;
  fill($("preview"), w);
  $("name").textContent = w.name;
  const now = new Date();
  $("clock").textContent = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
  $("download").href = rendered(w);
  $("download").setAttribute("download", `${w.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.png`);
}

window.addEventListener("hashchange", route);
const optional = url => fetch(url).then(r => (r.ok ? r.json() : {})).catch(() => ({}));
Promise.all([fetch("content.json").then(r => r.json()), optional("app.json")]).then(([content, app]) => {
  wallpapers = (content.wallpapers || []).filter(w => w && (w.image || (Array.isArray(w.colors) && w.colors.length)));
  if (app.app_name) { $("app-name").textContent = app.app_name; document.title = app.app_name; }
  if (app.theme_color) document.documentElement.style.setProperty("--brand", app.theme_color);
  if (app.accent_color) document.documentElement.style.setProperty("--accent", app.accent_color);
  gallery();
  route();
  document.documentElement.dataset.ready = "1";  // rendered: screenshots may be taken
}).catch(() => { $("count").textContent = "This pack's wallpapers could not be read."; });
