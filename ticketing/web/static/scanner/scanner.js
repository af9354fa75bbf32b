// Podium door scanner: a phone's camera or a hand-held scanner that types like a keyboard.
// Online, every code goes to POST /scanner/scans (one round trip). When the network is
// gone or too slow, the code is checked here with the device's kit (public keys, revoked
// tickets, performances; GET /scanner/kit) and queued; the queue is uploaded to
// POST /scanner/offline-scans as soon as the server answers again.
"use strict";

const TIMEOUT_MS = 2500;
const KIT_EVERY_MS = 60000;
const UPLOAD_EVERY_MS = 10000;
const store = window.localStorage;
const $ = (id) => document.getElementById(id);

const REASONS = {
  already_admitted: "Al binnen",
  revoked: "Ongeldig: geannuleerd of omgeruild",
  wrong_performance: "Ander optreden",
  not_yet_valid: "Nog niet geldig",
  expired: "Niet meer geldig",
  forged: "Vervalst of beschadigd",
  unknown_key: "Niet van dit huis",
  unknown: "Geen Podium-ticket",
  no_reentry: "Naar buiten en terug kan niet",
  not_inside: "Was niet binnen",
};

let token = null;
let kit = null;
let keys = new Map(); // key id -> CryptoKey
let busy = false;

// --- small helpers -------------------------------------------------------------------

function clockTime(iso) {
  return new Intl.DateTimeFormat("nl-BE", {
    timeZone: "Europe/Brussels", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).format(new Date(iso));
}

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function call(method, path, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    setNetwork(true);
    return response;
  } catch {
    setNetwork(false);
    return null; // no network, or too slow: the caller falls back
  } finally {
    clearTimeout(timer);
  }
}

function setNetwork(online) {
  $("network").textContent = online ? "online" : "offline";
  $("network").className = online ? "online" : "offline";
}

function beep(ok) {
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = ok ? 880 : 220;
    tone.type = ok ? "sine" : "square";
    gain.gain.value = 0.2;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (ok ? 0.15 : 0.45));
    if (navigator.vibrate && !ok) navigator.vibrate([80, 60, 80]);
  } catch { /* no sound on this device */ }
}

function show(kind, title, detail) {
  $("answer").className = kind;
  $("answer-title").textContent = title;
  $("answer-detail").textContent = detail || "";
}

function place(ticket) {
  if (!ticket || !ticket.place) return "";
  const parts = ticket.place.split("/");
  return parts.length === 3 ? `Rij ${parts[1]}, stoel ${parts[2]} (${parts[0]})` : ticket.place;
}

// --- the offline check: base45, the payload, Ed25519 ----------------------------------

const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

function b45decode(text) {
  const values = Array.from(text, (c) => {
    const v = B45.indexOf(c);
    if (v < 0) throw new Error("not base45");
    return v;
  });
  const out = [];
  for (let i = 0; i < values.length; i += 3) {
    const rest = values.length - i;
    if (rest >= 3) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
      if (n > 0xffff) throw new Error("not base45");
      out.push(n >> 8, n & 0xff);
    } else if (rest === 2) {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw new Error("not base45");
      out.push(n);
    } else {
      throw new Error("not base45");
    }
  }
  return new Uint8Array(out);
}

function uuid(bytes) {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parse(bytes) {
  // The layout of ticketing/tickets/payload.py, version 1.
  const view = new DataView(bytes.buffer);
  // version 1, key id 4, ticket 16, performance 16, from 4, until 4, flags 1: 46 bytes.
  if (bytes.length < 46 + 2 + 64 || bytes[0] !== 1) throw new Error("not a ticket");
  let at = 46;
  const placeLength = bytes[at];
  const placeBytes = bytes.slice(at + 1, at + 1 + placeLength);
  at += 1 + placeLength;
  const tariffLength = bytes[at];
  const tariffBytes = bytes.slice(at + 1, at + 1 + tariffLength);
  at += 1 + tariffLength;
  if (bytes.length - at !== 64) throw new Error("wrong length");
  const text = new TextDecoder("utf-8", { fatal: true });
  return {
    keyId: view.getUint32(1),
    ticket: uuid(bytes.slice(5, 21)),
    performance: uuid(bytes.slice(21, 37)),
    validFrom: view.getUint32(37) * 1000,
    validUntil: view.getUint32(41) * 1000,
    needsCheck: (bytes[45] & 1) === 1,
    place: text.decode(placeBytes),
    tariff: text.decode(tariffBytes),
    signed: bytes.slice(0, at),
    signature: bytes.slice(at),
  };
}

async function loadKeys() {
  keys = new Map();
  for (const k of kit.keys) {
    const raw = Uint8Array.from(atob(k.public_key), (c) => c.charCodeAt(0));
    try {
      keys.set(k.key_id, await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]));
    } catch (error) {
      console.warn("this browser cannot check Ed25519 signatures offline", error);
    }
  }
}

// What this device did offline: tickets it let in at least once, and those inside now.
function offlineState() {
  return JSON.parse(store.getItem("podium.offline.state") || '{"admitted": {}, "inside": {}}');
}

async function checkOffline(text, direction, now) {
  const code = text.trim();
  if (!code.startsWith("PD1:")) return { reason: "unknown" };
  let claims;
  try {
    claims = parse(b45decode(code.slice(4)));
  } catch {
    return { reason: "forged" };
  }
  const key = keys.get(claims.keyId);
  if (!key) return { reason: "unknown_key", claims };
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, claims.signature, claims.signed);
  if (!ok) return { reason: "forged" };
  if (kit.revoked.includes(claims.ticket)) return { reason: "revoked", claims };
  const performance = kit.performances.find((p) => p.id === claims.performance);
  const chosen = $("performance").value;
  if (!performance || (chosen && chosen !== claims.performance)) {
    return { reason: "wrong_performance", claims };
  }
  if (now < claims.validFrom) return { reason: "not_yet_valid", claims };
  if (now > claims.validUntil) return { reason: "expired", claims };
  // The server's rules (ticketing/checkin/scanning.py), on what this device knows: the
  // kit's ticket list as downloaded, and its own scans since.
  const state = offlineState();
  const listed = (kit.tickets || []).find((t) => t.id === claims.ticket) || {};
  const inside = claims.ticket in state.inside ? state.inside[claims.ticket] !== null : !!listed.inside;
  const admitted = !!state.admitted[claims.ticket] || !!listed.admitted;
  if (direction === "in") {
    if (inside || (admitted && !performance.reentry)) {
      return { reason: "already_admitted", claims, at: state.admitted[claims.ticket] };
    }
  } else {
    if (!performance.reentry) return { reason: "no_reentry", claims };
    if (!inside) return { reason: "not_inside", claims };
  }
  return { reason: null, claims };
}

function rememberOffline(ticket, direction, at) {
  const state = offlineState();
  if (direction === "in") {
    state.admitted[ticket] = state.admitted[ticket] || at;
    state.inside[ticket] = at;
  } else {
    state.inside[ticket] = null;
  }
  store.setItem("podium.offline.state", JSON.stringify(state));
}

// --- scanning -------------------------------------------------------------------------

function scanBody(code, direction) {
  const body = { qr: code, direction, gate: $("gate").value || undefined };
  if ($("performance").value) body.performance_id = $("performance").value;
  return body;
}

async function scan(code) {
  if (!code || busy) return;
  busy = true;
  const direction = $("direction").value;
  try {
    const response = await call("POST", "/scanner/scans", scanBody(code, direction));
    if (response && response.ok) {
      answerOnline(await response.json());
    } else if (response && response.status === 401) {
      show("bad", "Toestel niet (meer) gekoppeld", "Vraag een nieuwe code.");
      beep(false);
    } else if (response && response.status < 500) {
      const problem = await response.json();
      show("bad", "Niet gecontroleerd", problem.detail || `HTTP ${response.status}`);
      beep(false);
    } else {
      await answerOffline(code, direction);
    }
  } finally {
    busy = false;
    $("code").value = "";
    $("code").focus();
  }
}

function answerOnline(answer) {
  const ticket = answer.ticket;
  if (answer.ok) {
    const check = ticket && ticket.needs_check;
    const title = answer.result === "exited" ? "Naar buiten" : "Welkom";
    show(check ? "check" : "ok", title,
      [place(ticket), check ? `Controleer het bewijs voor tarief ${ticket.tariff}` : ticket && ticket.tariff]
        .filter(Boolean).join("\n"));
    beep(true);
    return;
  }
  const lines = [];
  if (answer.previous) {
    lines.push(`Binnen sinds ${clockTime(answer.previous.at)}`);
    lines.push(`ingang ${answer.previous.gate}${answer.previous.device ? `, ${answer.previous.device}` : ""}`);
  }
  if (ticket) lines.push(place(ticket));
  show("bad", REASONS[answer.reason] || "Geweigerd", lines.join("\n"));
  beep(false);
}

async function answerOffline(code, direction) {
  if (!kit) {
    show("bad", "Geen netwerk", "En nog geen offline gegevens: verbind dit toestel eerst.");
    beep(false);
    return;
  }
  const now = Date.now();
  const verdict = await checkOffline(code, direction, now);
  if (verdict.reason === null) {
    const queue = JSON.parse(store.getItem("podium.offline.queue") || "[]");
    queue.push({ ...scanBody(code, direction), nonce: nonce(), scanned_at: new Date(now).toISOString() });
    store.setItem("podium.offline.queue", JSON.stringify(queue));
    rememberOffline(verdict.claims.ticket, direction, new Date(now).toISOString());
    showQueue();
    const check = verdict.claims.needsCheck;
    show(check ? "check" : "ok", direction === "out" ? "Naar buiten (offline)" : "Welkom (offline)",
      [place({ place: verdict.claims.place }), check ? `Controleer het bewijs voor tarief ${verdict.claims.tariff}` : verdict.claims.tariff]
        .join("\n"));
    beep(true);
    return;
  }
  const detail = verdict.at ? `Binnen sinds ${clockTime(verdict.at)} (offline)` : "offline gecontroleerd";
  show("bad", REASONS[verdict.reason] || "Geweigerd", detail);
  beep(false);
}

async function upload() {
  const queue = JSON.parse(store.getItem("podium.offline.queue") || "[]");
  if (!queue.length || !token) return;
  const batch = queue.slice(0, 500);
  const response = await call("POST", "/scanner/offline-scans", { scans: batch });
  if (!response || response.status === 401 || response.status === 409 || response.status >= 500) {
    return; // no network, device revoked, or busy: try again later
  }
  const sent = new Set(batch.map((s) => s.nonce));
  if (!response.ok) {
    // Refused as a whole (a scan the server cannot take): keep it aside for staff rather
    // than block the scans after it.
    const parked = JSON.parse(store.getItem("podium.offline.parked") || "[]");
    store.setItem("podium.offline.parked", JSON.stringify(parked.concat(batch)));
    show("bad", "Offline scans niet aanvaard", (await response.json()).detail || "");
  }
  const left = JSON.parse(store.getItem("podium.offline.queue") || "[]").filter((s) => !sent.has(s.nonce));
  store.setItem("podium.offline.queue", JSON.stringify(left));
  showQueue();
}

function showQueue() {
  const queue = JSON.parse(store.getItem("podium.offline.queue") || "[]");
  $("queue").textContent = queue.length ? `${queue.length} te versturen` : "";
}

// --- the kit and the device -----------------------------------------------------------

async function refreshKit() {
  const response = await call("GET", "/scanner/kit?tickets=true");
  if (response && response.status === 401) {
    store.removeItem("podium.scanner.token");
    return setup("Deze code is niet (meer) geldig.");
  }
  if (response && response.ok) {
    kit = await response.json();
    store.setItem("podium.scanner.kit", JSON.stringify(kit));
  } else if (!kit) {
    kit = JSON.parse(store.getItem("podium.scanner.kit") || "null");
  }
  if (!kit) return;
  await loadKeys();
  $("device").textContent = kit.device.name;
  fill($("performance"), kit.performances.map((p) => [p.id, `${p.title.nl || Object.values(p.title)[0]} · ${clockTime(p.starts_at)}`]));
  fill($("gate"), kit.device.gates.map((g) => [g, g]));
  directions();
  document.body.dataset.ready = "true";
}

function directions() {
  const performance = kit && kit.performances.find((p) => p.id === $("performance").value);
  const reentry = !!(performance && performance.reentry);
  if (!reentry) $("direction").value = "in";
  $("direction").disabled = !reentry;
}

function fill(select, options) {
  const current = select.value;
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  if (options.some(([value]) => value === current)) select.value = current;
}

function setup(message) {
  $("setup").hidden = false;
  $("scanner").hidden = true;
  $("setup-error").textContent = message || "";
}

async function start() {
  // A link like /scan#token=dev_... couples the device (the token never reaches a server log).
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    store.setItem("podium.scanner.token", fromLink);
    history.replaceState(null, "", location.pathname);
  }
  token = store.getItem("podium.scanner.token");
  if (!token) return setup();
  $("setup").hidden = true;
  $("scanner").hidden = false;
  kit = JSON.parse(store.getItem("podium.scanner.kit") || "null");
  showQueue();
  await refreshKit();
  $("code").focus();
  setInterval(refreshKit, KIT_EVERY_MS);
  setInterval(upload, UPLOAD_EVERY_MS);
  window.addEventListener("online", upload);
}

$("performance").addEventListener("change", directions);

$("setup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  store.setItem("podium.scanner.token", $("token").value.trim());
  start();
});

// A hand-held scanner types the code and presses Enter.
$("manual").addEventListener("submit", (event) => {
  event.preventDefault();
  scan($("code").value.trim());
});

// --- the camera -----------------------------------------------------------------------

$("camera").addEventListener("click", async () => {
  const video = $("video");
  if (!video.hidden) {
    video.srcObject && video.srcObject.getTracks().forEach((t) => t.stop());
    video.hidden = true;
    return;
  }
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (error) {
    show("bad", "Geen camera", String(error));
    return;
  }
  video.hidden = false;
  await video.play();
  const detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let last = "";
  let lastAt = 0;
  const tick = async () => {
    if (video.hidden) return;
    let text = null;
    if (detector) {
      const found = await detector.detect(video);
      text = found.length ? found[0].rawValue : null;
    } else if (video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      text = found ? found.data : null;
    }
    // The same code held in front of the camera is scanned once every 3 seconds at most.
    if (text && (text !== last || Date.now() - lastAt > 3000)) {
      last = text;
      lastAt = Date.now();
      await scan(text);
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});

start();
