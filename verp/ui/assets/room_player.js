// The room's player on Present: a <video> that follows the playback state Control keeps in the
// database, a slim timeline with the moment's marks, and one "Start with sound" click (browsers block
// sound until the page is clicked). Each seek command is applied once, by its sequence number.
export default function ({ data, parentElement, setStateValue }) {
  const root = parentElement.querySelector(".verp-room");
  if (!root || !data) return;
  const video = root.querySelector("video");
  const button = root.querySelector("button.verp-sound");
  const marks = root.querySelector(".verp-marks");
  const head = root.querySelector(".verp-head");
  const memo = root.__verp || (root.__verp = { seq: -1, unlocked: false, moment: null, src: null, at: 0 });
  const s = data.state;
  memo.state = s;

  const seek = () => {
    if (s.seek_seq <= memo.seq) return;
    const go = () => {
      const end = video.duration || data.length || 0;
      const to = s.seek_relative ? video.currentTime + s.seek_s : s.seek_s;
      video.currentTime = Math.min(Math.max(to, 0), Math.max(end - 0.001, 0));
    };
    memo.seq = s.seek_seq;
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
  };
  const drawMarks = () => {
    marks.replaceChildren();
    for (const m of data.marks || []) {
      const tick = document.createElement("div");
      tick.className = "verp-mark " + (m.kind || "freeze");
      tick.style.left = (100 * Math.min(Math.max(m.t / (data.length || 1), 0), 1)) + "%";
      const label = document.createElement("span");
      label.textContent = m.label; // the owner's words: text, never markup
      tick.appendChild(label);
      marks.appendChild(tick);
    }
  };
  if (!memo.listening) {
    memo.listening = true;
    video.addEventListener("timeupdate", () => {
      const length = video.duration || data.length || 1;
      head.style.left = (100 * video.currentTime / length) + "%";
    });
    button.addEventListener("click", () => {
      memo.unlocked = true;
      button.hidden = true;
      video.muted = !!memo.state.muted;
      if (memo.state.playing) video.play().catch(() => {});
      setStateValue("sound_unlocked", true);
    });
  }
  const caption = () => {
    // The owner's timed captions while the facilitator has them on: a <track> of the WebVTT text (its
    // words escaped by the server, so cue markup never comes from what was typed).
    const vtt = data.captions || "";
    if (vtt === memo.vtt) return;
    for (const old of video.querySelectorAll("track")) { URL.revokeObjectURL(old.src); old.remove(); }
    memo.vtt = vtt;
    if (!vtt) return;
    const track = document.createElement("track");
    Object.assign(track, { kind: "captions", label: "Captions", srclang: "en", default: true });
    track.src = URL.createObjectURL(new Blob([vtt], { type: "text/vtt" }));
    video.appendChild(track);
    track.track.mode = "showing";
  };
  const renew = data.src !== memo.src && Date.now() - memo.at > data.renew_ms;
  if (data.moment !== memo.moment || renew) {
    const keep = data.moment === memo.moment ? video.currentTime : 0;
    video.src = data.src;
    if (keep) video.addEventListener("loadedmetadata", () => { video.currentTime = keep; }, { once: true });
    memo.src = data.src; memo.at = Date.now(); memo.moment = data.moment;
    drawMarks();
  }
  caption();
  button.hidden = memo.unlocked;
  video.loop = !!s.loop;
  video.defaultPlaybackRate = s.rate;
  video.playbackRate = s.rate;
  video.muted = !memo.unlocked || !!s.muted;
  seek();
  if (s.playing) video.play().catch(() => {}); else video.pause();
}
