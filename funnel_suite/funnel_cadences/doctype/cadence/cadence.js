// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.ui.form.on("Cadence", {
	setup(frm) {
		// steps may pick only webhooks a System Manager set up and left enabled
		frm.set_query("webhook", "steps", () => ({ filters: { enabled: 1 } }));
	},
});
