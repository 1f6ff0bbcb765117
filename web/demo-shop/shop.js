// The shop's own script: shows who is signed in, and hands the Kopilka widget a member token
// function that asks the shop's backend for a fresh one whenever the widget needs it.
(async () => {
  const status = document.getElementById('who');
  const me = await (await fetch('/api/me')).json();
  if (status) status.textContent = me.customer ? `Signed in as ${me.customer}` : 'Guest';
  for (const el of document.querySelectorAll('[data-signed-in]'))
    el.hidden = !me.customer;
  for (const el of document.querySelectorAll('[data-guest]'))
    el.hidden = Boolean(me.customer);
  if (!me.customer) return;
  const token = async () => {
    const r = await fetch('/api/kopilka-token', { method: 'POST' });
    if (!r.ok) throw new Error('the shop could not mint a token');
    return (await r.json()).token;
  };
  const hand = () => window.Kopilka.setMemberToken(token);
  if (window.Kopilka) hand();
  else document.querySelector('script[data-merchant]').addEventListener('load', hand);
})();
