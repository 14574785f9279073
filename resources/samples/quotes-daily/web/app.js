// Quotes Daily: today's quote (one per calendar day), previous and next, favourites kept on the device.
"use strict";
const KEY = "quotes-daily.favourites";
let quotes = [];
let index = 0;

function favourites() {
  try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
}
function saveFavourites(list) { localStorage.setItem(KEY, JSON.stringify(list)); }

function dayNumber(d) { return Math.floor(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86400000); }

function render() {
  const q = quotes[index];
  document.getElementById("text").textContent = q ? q.text : "No quotes in this pack.";
  document.getElementById("author").textContent = q ? q.author : "";
  const day = new Date(Date.now() + (index - todayIndex()) * 86400000);
  document.getElementById("date").textContent = day.toLocaleDateString(undefined, { weekday: "long", month: "long", day: "numeric" });
  const favs = favourites();
  const kept = q && favs.some(f => f.text === q.text);
  const fav = document.getElementById("fav");
  fav.setAttribute("aria-pressed", kept ? "true" : "false");
  fav.textContent = kept ? "♥ Kept" : "♡ Keep";
  document.getElementById("fav-count").textContent = String(favs.length);
  const list = document.getElementById("fav-list");
  list.replaceChildren(...favs.map(f => {
    const li = document.createElement("li");
    li.textContent = f.text;
    const who = document.createElement("small");
    who.textContent = f.author;
    li.appendChild(who);
    return li;
  }));
  document.getElementById("no-favs").hidden = favs.length > 0;
}

function todayIndex() { return quotes.length ? dayNumber(new Date()) % quotes.length : 0; }

function route() {
  const favs = location.hash === "#/favourites";
  const deep = location.hash.match(/^#\/q\/(\d+)$/);  // a link to one quote of the pack
  if (deep && quotes.length) { index = Number(deep[1]) % quotes.length; render(); }
  document.getElementById("today").hidden = favs;
  document.getElementById("favourites").hidden = !favs;
  document.getElementById("nav-today").classList.toggle("active", !favs);
  document.getElementById("nav-favs").classList.toggle("active", favs);
}

document.getElementById("prev").addEventListener("click", () => { index = (index - 1 + quotes.length) % quotes.length; render(); });
document.getElementById("next").addEventListener("click", () => { index = (index + 1) % quotes.length; render(); });
document.getElementById("fav").addEventListener("click", () => {
  const q = quotes[index];
  if (!q) return;
  const favs = favourites();
  const at = favs.findIndex(f => f.text === q.text);
  if (at >= 0) favs.splice(at, 1); else favs.push(q);
  saveFavourites(favs);
  render();
});
window.addEventListener("hashchange", route);

// app.json (written by the build beside content.json) carries the white-label name and colours
const optional = url => fetch(url).then(r => (r.ok ? r.json() : {})).catch(() => ({}));
Promise.all([fetch("content.json").then(r => r.json()), optional("app.json")]).then(([content, app]) => {
  quotes = (content.quotes || []).map(q => typeof q === "string" ? { text: q, author: "" } : q);
  if (app.app_name) { document.getElementById("app-name").textContent = app.app_name; document.title = app.app_name; }
  if (app.theme_color) document.documentElement.style.setProperty("--brand", app.theme_color);
  if (app.accent_color) document.documentElement.style.setProperty("--accent", app.accent_color);
  index = todayIndex();
  render();
  route();
  document.documentElement.dataset.ready = "1";  // rendered: screenshots may be taken
}).catch(() => { document.getElementById("text").textContent = "This app's quotes could not be read."; });
