// Kopilka kiosk feedback: what a shopper sees, and hears if the kiosk's settings say so, when
// the kiosk reads their card and when the prize wheel stops on a win. The wasm calls
// window.kopilkaFeedback(kind, sound) once per event (kind: 'card_read' | 'win'; sound: the
// kiosk's "sound" setting from the console, off by default).
//
// Implemented
//   - the visual confirmation, always: the screen's edge glows for a moment (green for a card,
//     gold for a win), from #kopilka-flash; with prefers-reduced-motion a steady edge instead
//     of the fading glow
//   - the sound: a two-note chirp for a card, a rising four-note arpeggio for a win, made with
//     Web Audio (no files), quiet (gain 0.12); the audio context starts at the first event with
//     sound and is resumed on the next touch or key where the browser's autoplay policy holds
//     it (a kiosk browser is usually started with --autoplay-policy=no-user-gesture-required)
//   - window.kopilkaFeedback.log: the last 20 events { kind, sound, played, at } (tests)
// Missing
//   - a volume setting (the shop's speakers set it)

const NOTES = Object.freeze({
  card_read: [[880, 0.07], [1320, 0.09]],
  win: [[523.25, 0.09], [659.25, 0.09], [783.99, 0.09], [1046.5, 0.22]],
});
const GAIN = 0.12;
const FLASH_MS = Object.freeze({ card_read: 450, win: 900 });
const LOG_MAX = 20;

let audio = null;

function audioContext() {
  if (audio) return audio;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  audio = new Context();
  const resume = () => { if (audio.state === 'suspended') audio.resume().catch(() => {}); };
  window.addEventListener('pointerdown', resume, { capture: true });
  window.addEventListener('keydown', resume, { capture: true });
  return audio;
}

// Plays the notes one after another; true when the context was running (the sound is heard).
function play(kind) {
  const ctx = audioContext();
  if (!ctx) return false;
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  let t = ctx.currentTime + 0.01;
  for (const [frequency, seconds] of NOTES[kind]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    // A short attack and release: no clicks at the note's edges.
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(GAIN, t + 0.01);
    gain.gain.setValueAtTime(GAIN, t + seconds - 0.02);
    gain.gain.linearRampToValueAtTime(0, t + seconds);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + seconds);
    t += seconds;
  }
  return ctx.state === 'running';
}

function flash(kind) {
  const el = document.getElementById('kopilka-flash');
  if (!el) return;
  el.classList.remove('flash--card_read', 'flash--win');
  void el.offsetWidth;  // restart the animation when the same kind comes again
  el.classList.add(`flash--${kind}`);
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => el.classList.remove(`flash--${kind}`), FLASH_MS[kind]);
}

export function setupFeedback() {
  const log = [];
  const feedback = (kind, sound) => {
    if (!NOTES[kind]) return;
    flash(kind);
    let played = false;
    if (sound) {
      try {
        played = play(kind);
      } catch (err) {
        console.warn('[kopilka feedback] no sound:', err && err.message);
      }
    }
    log.push({ kind, sound: !!sound, played, at: Date.now() });
    if (log.length > LOG_MAX) log.shift();
  };
  feedback.log = log;
  window.kopilkaFeedback = feedback;
}
