package e2e

import (
	"context"
	"testing"
)

// auditJS lists the visible controls of the page that are smaller than
// 44 CSS pixels high, and the form fields without an accessible name.
// Radio buttons sit in 44-pixel labels, and visually hidden file inputs
// are opened by their label, so those are not counted.
const auditJS = `(() => {
	const bad = [];
	for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, summary')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || r.right <= 0 || getComputedStyle(el).visibility === 'hidden' || el.closest('[hidden]')) continue; // off screen: the skip link until focused
		const name = el.id || el.getAttribute('name') || el.textContent.trim().slice(0, 40);
		if (!el.matches('input[type=radio], input[type=checkbox], .sr-only') && r.height < 44) bad.push('under 44 px: ' + name + ' (' + Math.round(r.height) + ')');
		if (el.matches('input, select, textarea') && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) bad.push('no label: ' + name);
	}
	return bad;
})()`

// audit fails the test when the page has controls too small to tap or
// fields without a label.
func audit(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	if bad := evalJS[[]string](t, ctx, auditJS); len(bad) > 0 {
		t.Errorf("%s: %q", where, bad)
	}
}
