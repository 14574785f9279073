// Trivia Quiz: rounds of multiple-choice questions with a score; the best score stays on the device.
"use strict";
const BEST = "trivia-quiz.best";
const ROUND = 5;
let questions = [];
let round = [];
let at = 0;
let score = 0;

const $ = id => document.getElementById(id);
function show(screen) { for (const id of ["start", "question", "result"]) $(id).hidden = id !== screen; }
function best() { return Number(localStorage.getItem(BEST) || 0); }

function shuffled(list) {
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

function start() {
  round = shuffled(questions).slice(0, Math.min(ROUND, questions.length));
  at = 0;
  score = 0;
  $("score").textContent = "0";
  ask();
}

function ask() {
  const q = round[at];
  show("question");
  $("counter").textContent = `Question ${at + 1} of ${round.length}`;
  $("bar").style.width = `${(at / round.length) * 100}%`;
  $("q").textContent = q.q;
  $("feedback").textContent = "";
  $("next").hidden = true;
  $("choices").replaceChildren(...q.choices.map((text, i) => {
    const b = document.createElement("button");
    b.className = "choice";
    b.textContent = text;
    b.addEventListener("click", () => answer(i));
    return b;
  }));
}

function answer(i) {
  const q = round[at];
  const buttons = [...$("choices").children];
  buttons.forEach((b, j) => { b.disabled = true; if (j === q.answer) b.classList.add("right"); });
  if (i === q.answer) { score += 1; $("feedback").textContent = "Right!"; } else {
    buttons[i].classList.add("wrong");
    $("feedback").textContent = `Not quite: it is ${q.choices[q.answer]}.`;
  }
  $("score").textContent = String(score);
  $("next").textContent = at + 1 < round.length ? "Next question" : "See my score";
  $("next").hidden = false;
}

function finish() {
  if (score > best()) localStorage.setItem(BEST, String(score));
  $("best").textContent = String(best());
  $("final").textContent = `${score} / ${round.length}`;
  $("verdict").textContent = score === round.length ? "Perfect round!" : score >= round.length / 2 ? "Well played!" : "Try another round!";
  $("bar").style.width = "100%";
  show("result");
}

$("play").addEventListener("click", start);
$("again").addEventListener("click", start);
$("next").addEventListener("click", () => { at += 1; if (at < round.length) ask(); else finish(); });

const optional = url => fetch(url).then(r => (r.ok ? r.json() : {})).catch(() => ({}));
Promise.all([fetch("content.json").then(r => r.json()), optional("app.json")]).then(([content, app]) => {
  questions = (content.questions || []).filter(q => Array.isArray(q.choices) && q.choices.length > 1);
  if (app.app_name) { $("app-name").textContent = app.app_name; document.title = app.app_name; }
  if (app.theme_color) document.documentElement.style.setProperty("--brand", app.theme_color);
  if (app.accent_color) document.documentElement.style.setProperty("--accent", app.accent_color);
  $("best").textContent = String(best());
  $("round-info").textContent = `${Math.min(ROUND, questions.length)} questions from a pack of ${questions.length}.`;
  $("play").disabled = questions.length === 0;
  if (location.hash === "#/play" && questions.length) start(); else show("start");
  document.documentElement.dataset.ready = "1";  // rendered: screenshots may be taken
}).catch(() => { $("round-info").textContent = "This quiz's questions could not be read."; });
