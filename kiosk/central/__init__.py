"""The central office: batch verification, the tally and its reports.

What a front end (the CLI, the central office window) calls, in order:

- ``verify.verify_batches(paths, trust, campaign, master, revocations, progress=...)`` → a
  ``BatchCheck`` per file (or ``verify.verify_file(path, trust, campaign, master, shared=Shared())``
  per file as files arrive, then ``verify.chained(files, revocations)`` for the chains);
  ``trust`` may be ``{}`` when ``master`` (the campaign master key) is given: format 3 batches
  carry their kiosk's enrollment certificate.  ``verify.parse_revocations(text)`` /
  ``load_revocations(path)``: the revocation list.  ``verify.kiosk_chains(checks)``: each
  kiosk's chain state.
- ``online.parse_online(text, campaign)`` / ``load_online(path, campaign)``: the online vote.
- ``tally.tally(checks, campaign, lang, resolutions, online=..., rules=...)`` → ``TallyResult``
  (``resolutions``: ``{serial: Resolution(serial, kiosk_id | None, batch, note)}``; ``rules``:
  the campaign's ``[results]`` by default).
- ``images.ballot_image(path, serial)``: a copy's image, for a conflict.
- ``report.write_report(result, campaign, path)`` (PDF), ``tables.write_xlsx(result, path, lang)``,
  ``tables.write_csv(result, path)``.
"""
