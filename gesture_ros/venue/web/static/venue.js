// The venue page: one server-sent event stream of snapshots; plain DOM, nothing from the internet.
"use strict";
const token = new URLSearchParams(location.search).get("token");
const q = token ? "?token=" + encodeURIComponent(token) : "";

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = String(text);  // textContent: device text is never HTML
  return e;
}
function rows(id, items, cells, key) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...items.map(item => {
    const tr = el("tr", key ? key(item) : {});
    for (const c of cells(item)) tr.appendChild(typeof c === "object" ? c : el("td", {}, c));
    return tr;
  }));
}
function ago(ns, now) { return ns ? ((now - ns) / 1e9).toFixed(1) + " s ago" : "–"; }
function clock(ns) { return new Date(ns / 1e6).toLocaleTimeString(); }

function crowd(s) {
  const box = document.getElementById("crowd");
  const entries = Object.entries(s.crowd);
  if (!entries.length) { box.replaceChildren(el("p", { class: "hint" }, "nobody in the last " + s.crowd_window_s + " s")); return; }
  box.replaceChildren(...entries.map(([g, n]) => {
    const m = el("div", { class: "meter", "data-gesture": g, "data-people": n });
    m.append(el("div", { class: "people" }, n), el("div", { class: "gesture" }, g),
             el("div", { class: "unit" }, "people, last " + s.crowd_window_s + " s"));
    return m;
  }));
}
function latency(points) {
  const svg = document.getElementById("latency");
  const note = document.getElementById("latency-note");
  if (!points.length) { svg.replaceChildren(); note.textContent = "no events yet"; return; }
  const ys = points.map(p => p[1]).sort((a, b) => a - b);
  const max = Math.max(1, ys[ys.length - 1]);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", points.map((p, i) =>
    (i * 600 / Math.max(1, points.length - 1)).toFixed(1) + "," + (155 - p[1] / max * 130).toFixed(1)).join(" "));
  const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
  label.setAttribute("x", 4); label.setAttribute("y", 16); label.textContent = max.toFixed(0) + " ms";
  svg.replaceChildren(line, label);
  const pct = f => ys[Math.min(ys.length - 1, Math.floor(f * ys.length))].toFixed(1);
  note.textContent = "last " + ys.length + " events: p50 " + pct(0.5) + " ms, p95 " + pct(0.95) + " ms";
}
function bars(hist) {
  const td = el("td", { class: "bars" });
  const max = Math.max(1, ...hist);
  for (const n of hist) { const b = el("span", { title: n }); b.style.height = (2 + 18 * n / max) + "px"; td.appendChild(b); }
  return td;
}
function show(s) {
  document.getElementById("rate").textContent = s.events_per_s + " events/s";
  document.getElementById("total").textContent = s.totals.events + " events";
  crowd(s);
  rows("gestures", Object.entries(s.totals.gestures), ([g, n]) => [g, n], ([g, n]) => ({ "data-gesture": g, "data-count": n }));
  rows("people", Object.entries(s.totals.people), ([p, n]) => [p, n], ([p, n]) => ({ "data-person": p, "data-count": n }));
  rows("devices", s.devices, d => [d.device, el("td", { class: d.state }, d.state), ago(d.last_heartbeat_ns, s.now_ns),
       d.outbox_depth === null ? "–" : d.outbox_depth], d => ({ "data-device": d.device, "data-state": d.state }));
  rows("sources", s.sources, r => [r.source, r.events, r.missing, r.model_id + " " + r.model_version],
       r => ({ "data-source": r.source, "data-count": r.events }));
  rows("models", s.models, m => [m.source, m.model_id + " " + m.model_version, m.events_per_min, m.mean_confidence,
       (100 * m.low_confidence_share).toFixed(1) + " %", bars(m.confidence_histogram)]);
  rows("recent", s.recent, e => [clock(e.stored_ns), e.source_id, e.person_id, e.gesture, e.type, e.confidence.toFixed(2)]);
  latency(s.latency_ms);
  const refused = Object.entries(s.refused).map(([k, n]) => k + " " + n).join(", ");
  document.getElementById("refused").textContent = refused ? "refused: " + refused : "";
}

const link = document.getElementById("link");
const source = new EventSource("api/stream" + q);
source.addEventListener("snapshot", ev => { link.textContent = "live"; link.className = "link live"; show(JSON.parse(ev.data)); });
source.onerror = () => { link.textContent = "reconnecting…"; link.className = "link lost"; };
