-- post_ticket.lua: wrk script for durable ticket creation, POST /api/v1/tickets.
-- One fixed, realistic body (no Idempotency-Key), so every request creates a
-- ticket and is answered 201 only after its commit is durable.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"Printer jams on tray 2",'
  .. '"description":"Since Monday the printer on the second floor jams on tray 2 '
  .. 'roughly every twenty pages. Error code E-204 shows on the panel. We cleaned '
  .. 'the rollers as the manual says; the jams came back the next morning.",'
  .. '"priority":"high","customer_ref":"ACME-001"}'
