// The widget's panel: loaded by kopilka.js on the visitor's first sign of intent. It runs the
// C++ widget flow (widget.mjs + widget.wasm) and turns its view — a small tree of blocks, already
// in the visitor's language — into real DOM in the widget's shadow root: a modal <dialog> with
// tabs, headings, lists and buttons, so text is selectable, zoomable, set in the site's font and
// read by screen readers. Nothing here decides what to show; it renders and forwards actions.
import createKopilkaPanel from './widget.mjs';

const css = `
dialog{box-sizing:border-box;position:fixed;inset:auto 20px 84px auto;margin:0;padding:0;
width:min(400px,calc(100vw - 24px));max-height:min(680px,calc(100vh - 104px));
border:0;border-radius:var(--kopilka-radius,18px);background:var(--kopilka-background,#fbf7f0);
color:var(--kopilka-text,#1f242b);font-size:16px;line-height:1.45;font-family:var(--kopilka-font);
font-style:normal;font-weight:400;letter-spacing:normal;word-spacing:normal;text-align:start;
text-indent:0;text-transform:none;text-shadow:none;white-space:normal;visibility:visible;
box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden;display:none;flex-direction:column}
dialog[open]{display:flex}
dialog::backdrop{background:rgba(0,0,0,.25)}
:host([preview]) dialog{position:absolute;inset:auto 16px 80px auto;width:min(400px,calc(100% - 32px));
max-height:calc(100% - 96px);box-shadow:0 8px 28px rgba(0,0,0,.22)}
@media (max-width:480px){dialog{inset:0;width:100%;max-width:none;max-height:none;height:100%;
border-radius:0}}
.head{display:flex;align-items:center;gap:8px;padding:14px 16px 6px}
h2{flex:1;margin:0;font-size:1.05em;font-weight:700}
h3{margin:4px 0 10px;font-size:1.3em;line-height:1.25}
h4{margin:14px 0 6px;font-size:.95em;color:var(--kopilka-muted,#5a6370)}
nav{display:flex;flex-wrap:wrap;gap:4px;padding:0 12px 8px;border-bottom:1px solid
color-mix(in srgb,var(--kopilka-text,#1f242b) 15%,transparent)}
nav button{min-height:40px;padding:0 12px;border-radius:999px;background:transparent;
color:var(--kopilka-text,#1f242b);font-weight:600}
nav button[aria-current="page"]{background:var(--kopilka-surface,#fff);
box-shadow:inset 0 0 0 2px var(--kopilka-accent,#d14723)}
.body{padding:8px 16px 18px;overflow:auto;flex:1}
p{margin:6px 0}
.detail{display:block;color:var(--kopilka-muted,#5a6370);font-size:.9em}
.stat{display:flex;align-items:baseline;gap:8px;margin:4px 0 8px}
.stat strong{font-size:2.4em;line-height:1.1}
progress{width:100%;height:12px;accent-color:var(--kopilka-accent,#d14723)}
ul{list-style:none;margin:0;padding:0}
li{display:flex;align-items:center;gap:10px;padding:10px 0;border-bottom:1px solid
color-mix(in srgb,var(--kopilka-text,#1f242b) 12%,transparent)}
li>div{flex:1;min-width:0}
li>img,.no-picture{flex:none;width:48px;height:48px;object-fit:contain;border-radius:8px}
button{font:inherit;cursor:pointer;border:0;min-height:44px;min-width:44px}
button:disabled{cursor:not-allowed;opacity:.55}
.action,.primary{padding:0 16px;border-radius:var(--kopilka-radius,18px);font-weight:600;
background:var(--kopilka-surface,#fff);color:var(--kopilka-text,#1f242b);
box-shadow:inset 0 0 0 2px var(--kopilka-accent,#d14723)}
.primary{background:var(--kopilka-accent,#d14723);color:var(--kopilka-accent-text,#fff);
box-shadow:none}
.row{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.close{background:transparent;color:var(--kopilka-text,#1f242b);font-size:1.4em;
border-radius:50%}
:focus-visible{outline:3px solid var(--kopilka-accent,#d14723);outline-offset:2px}
a{color:inherit;font-weight:600}
.links{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.links a{display:inline-flex;align-items:center;min-height:44px;padding:0 16px;
border-radius:var(--kopilka-radius,18px);background:var(--kopilka-accent,#d14723);
color:var(--kopilka-accent-text,#fff);text-decoration:none}
.links a+a{background:var(--kopilka-surface,#fff);color:var(--kopilka-text,#1f242b);
box-shadow:inset 0 0 0 2px var(--kopilka-accent,#d14723)}
.code{margin:10px 0;padding:14px;border-radius:var(--kopilka-radius,18px);
background:var(--kopilka-surface,#fff);text-align:center}
.code kbd,.code input{display:block;width:100%;box-sizing:border-box;margin:6px 0 10px;
font:700 1.3em/1.3 ui-monospace,monospace;letter-spacing:.04em;word-break:break-all;
border:0;background:transparent;color:inherit;text-align:center}
.code input{font-size:.95em;letter-spacing:0}
.notice{padding:10px 12px;border-radius:12px;background:var(--kopilka-surface,#fff)}
.notice.error{color:var(--kopilka-error,#b3261e);
box-shadow:inset 0 0 0 2px var(--kopilka-error,#b3261e)}
.wheel{display:block;width:min(100%,260px);margin:8px auto}
.wheel g{transform-origin:50% 50%}
@media (prefers-reduced-motion:no-preference){.wheel g.turning{transition:transform
var(--kopilka-turn,4s) cubic-bezier(.15,.6,.2,1)}}
.wheel text{font-size:6px;fill:var(--kopilka-text,#1f242b)}
.wheel .seg{fill:var(--kopilka-surface,#fff);stroke:var(--kopilka-accent,#d14723);stroke-width:.6}
.wheel .seg.alt{fill:color-mix(in srgb,var(--kopilka-accent,#d14723) 22%,var(--kopilka-surface,#fff))}
.wheel .pointer{fill:var(--kopilka-text,#1f242b)}
`;

const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children.filter(Boolean));
  return e;
};

export async function createPanel(options) {
  const server = new URL('/', options.base).origin;
  let module = null;
  let scheduled = false;
  const widgets = new Set();
  let active = null;  // the widget whose dialog is open
  let view = null;
  let sheet = null;
  let tokenSource;    // what setMemberToken last gave
  let tokenBusy = false;

  const pointElements = new Set();
  const render = () => {
    scheduled = false;
    const out = JSON.parse(module.ccall('kw_view', 'string', [], []));
    view = out.view;
    for (const w of widgets) paint(w);
    for (const p of pointElements) paintPoints(p);
  };

  // <kopilka-points price sku category>: "Earn 99 points", quoted by the core for this visitor.
  const pointsSheet = new CSSStyleSheet();
  pointsSheet.replaceSync(':host{display:inline-block}');
  function paintPoints(host) {
    const args = ['price', 'sku', 'category'].map((a) => host.getAttribute(a) || '');
    const out = JSON.parse(module.ccall('kw_points', 'string', ['string', 'string', 'string'], args));
    if (!host.shadowRoot) {
      host.attachShadow({ mode: 'open' }).adoptedStyleSheets = [pointsSheet];
      host.shadowRoot.append(el('span', { part: 'text' }));
    }
    const span = host.shadowRoot.firstChild;
    const text = out.text || '';
    if (span.textContent !== text) span.textContent = text;
    if (out.error) {
      host.dataset.error = out.error;
      console.warn('Kopilka: <kopilka-points> ' + out.error);
    } else if (out.points !== undefined) {
      host.dataset.points = String(out.points);
    }
  }
  const schedule = () => {
    if (scheduled || !module) return;
    scheduled = true;
    queueMicrotask(render);
  };
  module = await createKopilkaPanel({ onKopilkaChange: schedule });
  const act = (action, arg = '') => {
    module.ccall('kw_act', null, ['string', 'string'], [action, arg]);
    schedule();
  };

  // Member tokens: a string is handed over once; a function is asked again whenever the
  // session needs one (first sign-in, a minute before expiry).
  const handOver = async (force) => {
    const source = options.token();
    if (tokenBusy || (!force && typeof source !== 'function')) return;
    tokenBusy = true;
    try {
      const token = typeof source === 'function' ? await source() : source;
      module.ccall('kw_set_token', null, ['string'], [token || '']);
    } catch (e) {
      console.warn('Kopilka: the member token function failed', e);
    } finally {
      tokenBusy = false;
      schedule();
    }
  };
  const tick = () => {
    const due = module.ccall('kw_tick', 'number', [], []);
    if ((due & 1) && options.token()) handOver(false);
    if (due & 2) schedule();  // only a changed view is drawn again (a selection survives)
  };
  setInterval(tick, 1000);

  const lang = options.lang;
  module.ccall('kw_start', null, ['string', 'string', 'string', 'number'],
    [server, options.merchant, lang, matchMedia('(prefers-reduced-motion: reduce)').matches]);
  tokenSource = options.token();
  if (tokenSource) handOver(true);
  const previewTheme = () => {
    const t = options.theme();
    if (!module.ccall('kw_preview_theme', 'number', ['string'], [t ? JSON.stringify(t) : '']))
      console.warn('Kopilka: previewTheme was given a theme that does not decode');
    schedule();
  };
  if (options.theme()) previewTheme();

  function styles() {
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(css); }
    return sheet;
  }

  function attach(w) {
    if (widgets.has(w)) return;
    widgets.add(w);
    const root = w.shadowRoot;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, styles()];
    const dialog = el('dialog', { part: 'panel' });
    dialog.addEventListener('close', () => {
      w.launcher.setAttribute('aria-expanded', 'false');
      if (active === w) active = null;
    });
    dialog.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-action]');
      if (!b || b.disabled) return;
      if (b.dataset.action === 'close') return dialog.close();
      if (b.dataset.action === 'copy') return copy(b);
      if (b.dataset.action === 'share') return share(b);
      act(b.dataset.action, b.dataset.arg || '');
    });
    root.append(dialog);
    w.dialog = dialog;
    if (view) paint(w);
  }

  async function copy(button) {
    const text = button.dataset.arg;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const input = button.parentElement.querySelector('input');
      if (input) { input.select(); document.execCommand('copy'); }
    }
    button.textContent = view.words.copied;
    setTimeout(() => { button.textContent = view.words.copy; }, 2000);
  }

  function share(button) {
    const url = button.dataset.arg;
    if (navigator.share) navigator.share({ url, title: view.title }).catch(() => {});
    else copy(button);
  }

  let contrastReported = false;
  function paint(w) {
    if (!w.dialog) return;
    if (view.contrast_failures && view.contrast_failures.length && !contrastReported) {
      contrastReported = true;
      console.warn('Kopilka: the theme fails WCAG AA contrast, corrected for this page: ' +
        view.contrast_failures.join('; '));
    }
    for (const [name, value] of Object.entries(view.css)) w.style.setProperty(name, value);
    w.label.textContent = view.launcher;
    w.launcher.setAttribute('aria-label', view.launcher);
    if (!w.dialog.open && active !== w) return;
    const focused = w.shadowRoot.activeElement;
    const focusKey = focused && focused.dataset ? focused.dataset.key : null;
    const titleId = 'kopilka-title';
    w.dialog.setAttribute('aria-labelledby', titleId);
    w.dialog.setAttribute('lang', view.lang);
    w.dialog.setAttribute('aria-busy', view.busy ? 'true' : 'false');
    const header = el('div', { class: 'head' },
      el('h2', { id: titleId, text: view.title }),
      el('button', { type: 'button', class: 'close', 'data-action': 'close',
        'data-key': 'close', 'aria-label': view.words.close, text: '×' }));
    const nav = el('nav', { 'aria-label': view.title });
    for (const t of view.tabs) {
      nav.append(el('button', { type: 'button', 'data-action': 'open', 'data-arg': t.screen,
        'data-key': 'tab:' + t.screen, 'aria-current': t.current ? 'page' : null,
        text: t.label }));
    }
    // The screen scrolls when long: focusable (tabindex 0) so keyboards can scroll it too.
    const main = el('div', { class: 'body', tabindex: '0', role: 'region',
      'aria-labelledby': 'kopilka-heading', 'data-key': 'body' },
    el('h3', { id: 'kopilka-heading', text: view.heading, tabindex: '-1', 'data-key': 'heading' }));
    let row = null;  // buttons (or links) that follow each other share a row
    for (const b of view.blocks) {
      if (b.kind === 'button' || b.kind === 'link') {
        const cls = b.kind === 'button' ? 'row' : 'links';
        if (!row || row.className !== cls) main.append(row = el('div', { class: cls }));
        row.append(b.kind === 'button' ? button(b)
          : el('a', { href: b.href, target: '_top', text: b.label }));
        continue;
      }
      row = null;
      main.append(block(b));
    }
    w.dialog.replaceChildren(header, nav.childElementCount ? nav : null, main);
    const again = focusKey && w.dialog.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
    else if (focused && !w.dialog.contains(focused)) main.firstChild.focus();
  }

  function button(b, cls) {
    return el('button', { type: 'button', class: cls || (b.value === 1 ? 'primary' : 'action'),
      'data-action': b.action, 'data-arg': b.arg || '', 'data-key': `${b.action}:${b.arg || ''}`,
      disabled: b.enabled === false, text: b.label });
  }

  function block(b) {
    switch (b.kind) {
      case 'text':
        return el('p', {}, b.text, b.detail ? el('span', { class: 'detail', text: b.detail }) : null);
      case 'stat':
        return el('p', { class: 'stat' }, el('strong', { text: b.text }), el('span', { text: b.label }));
      case 'progress': {
        const id = 'p' + Math.random().toString(36).slice(2);
        return el('div', {}, el('p', { id, text: b.label }),
          el('progress', { value: b.value, max: b.max, 'aria-labelledby': id }),
          b.text ? el('p', { class: 'detail', text: b.text }) : null);
      }
      case 'list': {
        const ul = el('ul');
        // In a list where some rewards have a picture, the others keep its place: the names
        // stay in one column.
        const pictured = (b.items || []).some((i) => i.picture);
        for (const i of b.items || []) ul.append(listItem(i, pictured));
        return el('section', {}, b.label ? el('h4', { text: b.label }) : null, ul);
      }
      case 'item':
        return el('ul', {}, listItem(b));
      case 'code':
        return el('div', { class: 'code' }, el('span', { text: b.label }), el('kbd', { text: b.text }),
          el('button', { type: 'button', class: 'primary', 'data-action': 'copy', 'data-arg': b.text,
            'data-key': 'copy', text: view.words.copy }),
          b.detail ? el('span', { class: 'detail', text: b.detail }) : null);
      case 'share':
        return el('div', { class: 'code' }, el('label', { for: 'kopilka-link', text: b.label }),
          el('input', { id: 'kopilka-link', readonly: true, value: b.text }),
          el('div', { class: 'row' },
            el('button', { type: 'button', class: 'primary', 'data-action': 'copy', 'data-arg': b.text,
              'data-key': 'copy', text: view.words.copy }),
            el('button', { type: 'button', class: 'action', 'data-action': 'share', 'data-arg': b.text,
              'data-key': 'share', text: view.words.share })));
      case 'wheel':
        return wheel(b);
      case 'notice':
        return el('p', { class: b.value === 1 ? 'notice error' : 'notice',
          role: b.value === 1 ? 'alert' : 'status', text: b.text });
      default:
        return null;
    }
  }

  // A reward's picture is decorative: its name is the text beside it.
  function listItem(i, pictured = false) {
    const picture = i.picture ? el('img', { src: new URL(i.picture, server).href, alt: '',
      width: 48, height: 48, loading: 'lazy', decoding: 'async' })
      : pictured ? el('span', { class: 'no-picture', 'aria-hidden': 'true' }) : null;
    return el('li', {}, picture, el('div', {}, el('span', { text: i.text }),
      i.detail ? el('span', { class: 'detail', text: i.detail }) : null),
    i.action ? button(i, 'action') : null);
  }

  // The prize wheel as SVG: segments clockwise from the top, turned so the prize's segment stops
  // under the pointer; with reduced motion it is simply there.
  let turns = 0;
  let lastPrize = -1;
  function wheel(b) {
    const ns = 'http://www.w3.org/2000/svg';
    const n = (b.items || []).length || 1;
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 100 100');
    svg.setAttribute('class', 'wheel');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', b.label + ': ' + (b.items || []).map((i) => i.text).join(', '));
    const g = document.createElementNS(ns, 'g');
    (b.items || []).forEach((item, k) => {
      const a0 = (k / n) * 2 * Math.PI - Math.PI / 2;
      const a1 = ((k + 1) / n) * 2 * Math.PI - Math.PI / 2;
      const p = document.createElementNS(ns, 'path');
      p.setAttribute('d', `M50 50 L${50 + 46 * Math.cos(a0)} ${50 + 46 * Math.sin(a0)} ` +
        `A46 46 0 0 1 ${50 + 46 * Math.cos(a1)} ${50 + 46 * Math.sin(a1)}Z`);
      p.setAttribute('class', k % 2 ? 'seg alt' : 'seg');
      if (item.fill) p.style.fill = item.fill;  // the merchant's colour for this prize
      g.prepend(p);
      const mid = (a0 + a1) / 2;
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('x', 50 + 28 * Math.cos(mid));
      t.setAttribute('y', 50 + 28 * Math.sin(mid));
      t.setAttribute('text-anchor', 'middle');
      t.setAttribute('dominant-baseline', 'middle');
      if (item.ink) t.style.fill = item.ink;
      t.textContent = item.text.length > 14 ? item.text.slice(0, 13) + '…' : item.text;
      g.append(t);
    });
    if (b.value >= 0 && b.value !== lastPrize) { turns += 4; lastPrize = b.value; }
    if (b.value < 0) lastPrize = -1;
    const stop = b.value >= 0 ? -((b.value + 0.5) / n) * 360 : 0;
    g.style.setProperty('--kopilka-turn', (b.max || 0) + 'ms');
    if (b.max > 0 && b.value >= 0) g.setAttribute('class', 'turning');
    const pointer = document.createElementNS(ns, 'path');
    pointer.setAttribute('d', 'M46 0 L54 0 L50 9Z');
    pointer.setAttribute('class', 'pointer');
    svg.append(g, pointer);
    // Start from the last angle and turn on the next frame, so the transition runs.
    const target = `rotate(${turns * 360 + stop}deg)`;
    g.style.transform = wheel.last || 'rotate(0deg)';
    requestAnimationFrame(() => requestAnimationFrame(() => { g.style.transform = target; }));
    wheel.last = target;
    return svg;
  }

  return {
    attach,
    open(w) {
      attach(w);
      active = w;
      render();
      // The console's preview sits inline in its page: not modal, and it leaves focus alone.
      const preview = w.hasAttribute('preview');
      if (!w.dialog.open && preview) {
        // show() moves focus into the dialog like showModal(); the preview gives it back.
        const before = document.activeElement;
        w.dialog.show();
        if (before && before !== w && before !== document.body) before.focus({ preventScroll: true });
        else if (w.shadowRoot.activeElement) w.shadowRoot.activeElement.blur();
      } else if (!w.dialog.open) {
        w.dialog.showModal();
      }
      w.launcher.setAttribute('aria-expanded', 'true');
      paint(w);
      const heading = w.dialog.querySelector('h3');
      if (heading && !preview) heading.focus();
    },
    close() { for (const w of widgets) if (w.dialog && w.dialog.open) w.dialog.close(); },
    tokenChanged() { tokenSource = options.token(); handOver(true); },
    themeChanged() { previewTheme(); },
    points(host) { pointElements.add(host); paintPoints(host); },
  };
}
