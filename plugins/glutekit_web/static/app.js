// The session page: follows the session's event stream, sends the taps back.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
// A cue that reaches the phone later than this (real seconds) is left unsaid.
const STALE_AFTER = 1.5;

const $ = (id) => document.getElementById(id);
const withToken = (path) => path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);

const gk = {
  session: null, // the timeline, as /api/state and "ready" give it
  segment: null, // index of the current segment
  position: 0, // session position at `stamp`
  stamp: 0, // performance.now() when `position` was true
  paused: false,
  finished: null,
  startedAt: null, // [t, performance.now()] of the "started" event
  events: [], // every event seen, with when it arrived (tests read this)
  audio: null, // AudioContext, made on the tap that starts a session
  clips: new Map(), // cue text -> AudioBuffer
  playing: new Set(),
  said: 0, // cues played on this device
};
window.glutekit = gk;

// ------------------------------------------------------------------ talking to the server

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json", "x-glutekit-token": TOKEN },
    body: JSON.stringify(body),
  };
  const answer = await fetch(withToken(path), init);
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.error || "the server said " + answer.status);
  return data;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function connect() {
  const source = new EventSource(withToken("api/events"));
  source.onopen = () => { $("link").textContent = "Connected"; };
  source.onerror = () => { $("link").textContent = "Reconnecting…"; };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    gk.events.push({ name: event.event, at: performance.now(), data: event });
    onEvent(event);
  };
}

// ------------------------------------------------------------------ views

function show(view) {
  for (const id of ["choose", "preparing", "session", "after"]) $(id).hidden = id !== view;
}

async function loadRoutines() {
  const { routines, program } = await api("api/routines");
  const list = $("routines");
  list.replaceChildren();
  if (program) list.append(programCard(program));
  for (const routine of routines) {
    const item = document.createElement("li");
    item.className = "routine";
    const title = document.createElement("h2");
    title.textContent = routine.title;
    const meta = document.createElement("p");
    meta.className = "muted";
    meta.textContent = `${routine.minutes} min`;
    item.append(title, meta);
    if (routine.description) {
      const about = document.createElement("p");
      about.textContent = routine.description;
      about.className = "about";
      item.append(about);
    }
    const row = document.createElement("div");
    row.className = "row";
    row.append(button("Start", `Start ${routine.title}`, () => start(routine.id, false), "primary"));
    if (routine.resumable) {
      row.append(button("Resume", `Resume ${routine.title} where it stopped`, () => start(routine.id, true)));
    }
    item.append(row);
    item.dataset.routine = routine.id;
    list.append(item);
  }
}

// The program under way: its next session (with a Start button), or why it stopped.
function programCard(program) {
  const item = document.createElement("li");
  item.className = "routine program";
  item.id = "program";
  item.dataset.state = program.state;
  const kind = document.createElement("p");
  kind.className = "kind";
  kind.textContent = program.state === "stopped" ? "Program stopped" : "Your program";
  const title = document.createElement("h2");
  title.textContent = program.title;
  item.append(kind, title);
  if (program.state === "stopped") {
    item.append(paragraph(`Stopped because ${program.stop_reason}.`, "reason"));
    for (const line of program.screens) item.append(paragraph(line, "screen"));
    item.append(paragraph(`To go on: ${program.restart} (on the computer).`, "muted"));
    return item;
  }
  const due = program.due_today ? "due today" : `due ${day(program.due)}`;
  item.append(paragraph(`Session ${program.session} of ${program.of}, week ${program.week}, ${due}`, "when"));
  const what = [program.session_title];
  if (program.minutes) what.push(`${program.minutes} min`);
  item.append(paragraph(what.join(" · "), "muted"));
  const lines = document.createElement("ul");
  lines.className = "exercises";
  for (const line of program.exercises) {
    const entry = document.createElement("li");
    entry.textContent = line;
    lines.append(entry);
  }
  item.append(lines);
  if (program.screens.length) {
    const care = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Take care: warning signs";
    care.append(summary);
    for (const line of program.screens) care.append(paragraph(line));
    item.append(care);
  }
  const row = document.createElement("div");
  row.className = "row";
  row.append(button("Start", `Start session ${program.session} of ${program.title}`, startProgram, "primary"));
  item.append(row);
  return item;
}

function paragraph(text, className) {
  const made = document.createElement("p");
  made.textContent = text;
  if (className) made.className = className;
  return made;
}

function day(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
}

function button(text, label, onClick, className) {
  const made = document.createElement("button");
  made.type = "button";
  made.textContent = text;
  made.setAttribute("aria-label", label);
  if (className) made.className = className;
  made.addEventListener("click", onClick);
  return made;
}

function chosenSound() {
  return document.querySelector('input[name="sound"]:checked').value;
}

async function start(routine, resume) {
  showError("");
  const sound = chosenSound();
  if (sound === "phone") unlockAudio(); // must happen during the tap
  try {
    await api("api/start", { routine, sound, resume, pain_before: $("pain-before").value });
  } catch (error) {
    showError(error.message);
  }
}

async function startProgram() {
  showError("");
  showNews(null);
  const sound = chosenSound();
  if (sound === "phone") unlockAudio();
  try {
    await api("api/start", { program: true, sound, pain_before: $("pain-before").value });
  } catch (error) {
    showError(error.message);
  }
}

function showNews(lines) {
  const box = $("program-news");
  box.replaceChildren(...(lines || []).map((line) => paragraph(line)));
  box.hidden = !lines || !lines.length;
}

// ------------------------------------------------------------------ events

function onEvent(event) {
  switch (event.event) {
    case "state": return restore(event);
    case "preparing":
      show("preparing");
      $("preparing-text").textContent = event.sound === "phone" || event.sound === "computer"
        ? "Preparing the coach's voice… (the first time takes a little while)"
        : "Preparing the session…";
      return;
    case "ready": return ready(event.session);
    case "error": show("choose"); showError(event.message); return;
    case "started":
      gk.startedAt = [event.t, performance.now()];
      return at(event.position);
    case "segment": gk.segment = event.segment.index; at(event.position); return render();
    case "seek":
      stopSounds();
      gk.segment = event.segment ? event.segment.index : null;
      at(event.position);
      return render();
    case "cue":
      at(event.position);
      $("cue").textContent = event.cue.text;
      return say(event);
    case "paused": gk.paused = true; at(event.position); pauseSounds(true); return render();
    case "resumed": gk.paused = false; at(event.position); pauseSounds(false); return render();
    case "heard": case "time-left": $("cue").textContent = event.text; return;
    case "finished": return finished(event);
    case "answered":
      showNews(event.program ? event.program.lines : null);
      show("choose");
      loadRoutines().catch((error) => showError(error.message));
      return;
    case "closing": $("link").textContent = "The server stopped"; return;
  }
}

function at(position) {
  gk.position = position;
  gk.stamp = performance.now();
}

function now() {
  if (gk.paused || !gk.session) return gk.position;
  return gk.position + ((performance.now() - gk.stamp) / 1000) * gk.session.speed;
}

function restore(state) {
  if (state.error) showError(state.error);
  if (state.state === "idle") { show("choose"); return; }
  if (state.state === "preparing") { show("preparing"); return; }
  if (state.session) ready(state.session, false);
  if (state.last) { gk.segment = state.last.segment; at(state.last.position); }
  gk.paused = state.state === "paused";
  if (state.state === "finished") finished({ status: state.finished?.status, ...state.finished });
  else render();
}

function ready(session, fetchSound = true) {
  gk.session = session;
  gk.finished = null;
  gk.paused = false;
  gk.segment = null;
  $("routine-title").textContent = session.title;
  $("cue").textContent = "";
  show("session");
  render();
  if (fetchSound && session.sound === "phone") fetchClips(session.clips);
  else if (session.sound !== "phone") $("sound-status").textContent =
    session.sound === "computer" ? "The coach speaks on the computer." : "The coach is silent.";
}

function finished(event) {
  gk.finished = event;
  stopSounds();
  show("after");
  $("after-title").textContent = event.status === "finished" ? "Well done" : "Session stopped";
  const parts = [];
  if (event.completed !== undefined) parts.push(`${event.completed} hold${event.completed === 1 ? "" : "s"} done`);
  if (event.skipped) parts.push(`${event.skipped} skipped`);
  if (event.elapsed !== undefined) parts.push(`in ${clock(event.elapsed)}`);
  $("summary").textContent = parts.join(", ") + ". How do you feel?";
  // After a program session: its warning signs, asked as 'glutekit program run' asks them.
  const program = gk.session && gk.session.program;
  const asked = Boolean(program && program.screens.length && event.status === "finished");
  $("red-flag-box").hidden = !asked;
  $("red-flag-text").replaceChildren(...(asked ? program.screens.map((line) => paragraph(line)) : []));
}

// ------------------------------------------------------------------ drawing

function clock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds - 0.001));
  const m = Math.floor(whole / 60);
  const s = String(whole % 60).padStart(2, "0");
  return `${m}:${s}`;
}

const SIDES = { left: "Left side", right: "Right side" };

function render() {
  const session = gk.session;
  if (!session) return;
  const segments = session.segments;
  const current = gk.segment === null ? null : segments[gk.segment];
  $("ex-name").textContent = current ? current.name || current.label : "…";
  $("side").textContent = current && current.side ? SIDES[current.side] || current.side : "";
  const figure = $("figure");
  if (current && current.exercise) {
    const source = withToken(`figure/${encodeURIComponent(current.exercise)}`);
    if (figure.dataset.src !== source) {
      figure.dataset.src = source;
      figure.src = source;
      figure.alt = `How to lie or stand for ${current.name}`;
    }
    figure.hidden = false;
  } else {
    figure.hidden = true;
  }
  drawPhotos(current);
  const next = segments.slice((gk.segment ?? -1) + 1).find(
    (s) => s.exercise && (!current || s.exercise !== current.exercise || s.side !== current.side),
  );
  $("next").textContent = next ? `Next: ${next.name}${next.side ? ", " + next.side + " side" : ""}` : "";
  const pause = $("pause");
  pause.textContent = gk.paused ? "Resume" : "Pause";
  pause.setAttribute("aria-pressed", String(gk.paused));
  tick();
}

function drawPhotos(current) {
  const box = $("photos");
  const key = current && current.exercise ? current.exercise : "";
  if (box.dataset.exercise === key) return;
  box.dataset.exercise = key;
  box.replaceChildren();
  for (const image of current && current.images ? current.images : []) {
    const img = document.createElement("img");
    img.src = withToken(`image/${encodeURIComponent(current.exercise)}/${image.n}`);
    img.alt = image.alt;
    box.append(img);
  }
}

function tick() {
  const session = gk.session;
  if (!session || $("session").hidden) return;
  const position = now();
  const current = gk.segment === null ? null : session.segments[gk.segment];
  const left = current ? current.start + current.duration - position : 0;
  $("time-left").textContent = clock(left);
  $("time-left").setAttribute("aria-label", `${clock(left)} left in this part`);
  $("time-what").textContent = gk.paused ? "paused" : "left";
  $("total").textContent = `${clock(session.duration - position)} left in the session`;
}

// ------------------------------------------------------------------ sound on this device

function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  if (!gk.audio) gk.audio = new Context();
  gk.audio.resume();
}

async function fetchClips(texts) {
  gk.clips.clear();
  if (!gk.audio || !texts.length) {
    $("sound-status").textContent = gk.audio ? "No speech to play." : "This browser cannot play the coach.";
    return;
  }
  $("sound-status").textContent = "Loading the coach's voice…";
  let loaded = 0;
  // In the order the session says them: the first cues are ready first.
  for (let n = 0; n < texts.length; n++) {
    try {
      const answer = await fetch(withToken(`audio/${n}`));
      const data = await answer.arrayBuffer();
      gk.clips.set(texts[n], await gk.audio.decodeAudioData(data));
      loaded++;
    } catch (error) {
      // One missing clip is one silent cue; the text still shows.
    }
  }
  $("sound-status").textContent = `The coach speaks on this device (${loaded} of ${texts.length} cues ready).`;
  document.body.dataset.clips = String(loaded);
}

function say(event) {
  if (!gk.audio || !gk.session || gk.session.sound !== "phone" || gk.paused) return;
  const buffer = gk.clips.get(event.cue.text);
  if (!buffer) return;
  if (gk.startedAt) {
    const due = gk.startedAt[1] + ((event.t - gk.startedAt[0]) / gk.session.speed) * 1000;
    if ((performance.now() - due) / 1000 > STALE_AFTER) return;
  }
  const source = gk.audio.createBufferSource();
  source.buffer = buffer;
  source.connect(gk.audio.destination);
  source.onended = () => gk.playing.delete(source);
  gk.playing.add(source);
  source.start();
  gk.said += 1;
}

function pauseSounds(paused) {
  if (!gk.audio) return;
  if (paused) gk.audio.suspend(); else gk.audio.resume();
}

function stopSounds() {
  for (const source of gk.playing) {
    try { source.stop(); } catch (error) { /* already ended */ }
  }
  gk.playing.clear();
}

// ------------------------------------------------------------------ controls

function control(action) {
  gk.tapped = { action, at: performance.now() };
  if (gk.audio && action === "pause") gk.audio.suspend();
  api(`api/control/${action}`, {}).catch((error) => showError(error.message));
}

function scale(box, name) {
  for (let n = 0; n <= 10; n++) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = String(n);
    const span = document.createElement("span");
    span.textContent = String(n);
    label.append(input, span);
    box.append(label);
  }
}

function picked(name) {
  const input = document.querySelector(`input[name="${name}"]:checked`);
  return input ? Number(input.value) : null;
}

async function answer(pain, effort, redFlag) {
  showError("");
  try {
    await api("api/answer", { pain, effort, red_flag: redFlag });
    $("answers").reset();
  } catch (error) {
    showError(error.message);
  }
}

function setUp() {
  $("back").addEventListener("click", () => control("back"));
  $("skip").addEventListener("click", () => control("skip"));
  $("pause").addEventListener("click", () => control(gk.paused ? "resume" : "pause"));
  $("stop").addEventListener("click", () => control("stop"));
  scale($("pain-scale"), "pain");
  scale($("effort-scale"), "effort");
  $("answers").addEventListener("submit", (event) => {
    event.preventDefault();
    const flag = $("red-flag-box").hidden ? null : document.querySelector('input[name="red-flag"]:checked')?.value === "yes";
    answer(picked("pain"), picked("effort"), flag);
  });
  $("no-answers").addEventListener("click", () => answer(null, null, null));
  document.addEventListener("keydown", (event) => {
    if ($("session").hidden || event.target.closest("button, input, select, a")) return;
    if (event.key === " ") { event.preventDefault(); control(gk.paused ? "resume" : "pause"); }
    else if (event.key === "ArrowLeft") control("back");
    else if (event.key === "ArrowRight") control("skip");
  });
  setInterval(tick, 200);
  loadRoutines().catch((error) => showError(error.message));
  connect();
}

setUp();
