"""Domain errors: every known failure carries a stable code.

The code is what programs, tests and the UI rely on; the message is built
from a bilingual catalogue (Latvian first, English second) so that the CLI
and the Qt UI tell the user the same thing in their language.  Anything that
is not a ``KioskError`` is a bug and is reported with a trace.
"""
from __future__ import annotations

import os
from typing import Any

# code -> (Latvian template, English template).  Templates use str.format
# fields taken from the error's params.
CATALOG: dict[str, tuple[str, str]] = {
    # campaign definitions
    "campaign.unreadable": ("Kampaņas failu nevar nolasīt: {detail}", "Cannot read the campaign file: {detail}"),
    "campaign.syntax": ("Kampaņas failā ir sintakses kļūda: {detail}", "The campaign file has a syntax error: {detail}"),
    "campaign.invalid": ("Kampaņas failā ir {count} kļūda(s)", "The campaign file has {count} problem(s)"),
    "campaign.not_found": ("Kampaņas fails nav atrasts: {path}", "Campaign file not found: {path}"),
    "campaign.mismatch": (
        "Šis kiosks ir piesaistīts kampaņai {expected}, nevis {actual}",
        "This kiosk is enrolled in campaign {expected}, not {actual}",
    ),
    # enrollment and data directory
    "enroll.unknown_institution": ("Iestāde '{institution}' kampaņā nav atrasta", "Institution '{institution}' is not in the campaign"),
    "enroll.already": (
        "Datu mape jau ir piesaistīta iestādei '{institution}'",
        "The data directory is already enrolled for institution '{institution}'",
    ),
    "enroll.not_enrolled": (
        "Kiosks vēl nav piesaistīts iestādei: palaidiet 'kiosk enroll --institution ID'",
        "This kiosk is not enrolled yet: run 'kiosk enroll --institution ID'",
    ),
    "enroll.no_key": (
        "Iestādes atslēga nav norādīta: centrālais birojs izsniedz to ar 'kiosk central institution-key'",
        "No institution key given: the central office issues one with 'kiosk central institution-key'",
    ),
    "enroll.bad_key": ("Iestādes atslēgas fails ir bojāts: {detail}", "The institution key file is damaged: {detail}"),
    "audit.unknown_event": ("Nezināms audita notikums: {event}", "Unknown audit event: {event}"),
    "audit.unknown_field": ("Audita notikumam {event} nav lauku: {fields}", "The audit event {event} has no fields: {fields}"),
    "audit.broken": (
        "Audita žurnāls nav vesels: pirmā nederīgā rinda ir {seq} ({what_lv})",
        "The audit log is not intact: the first bad row is {seq} ({what_en})",
    ),
    "datadir.keys_exposed": (
        "Atslēgu failus var lasīt citi šī datora lietotāji: {files}. Datu mape netiek atvērta. "
        "Kā datu mapes īpašnieks izpildiet: chmod 600 {files}",
        "Other users of this computer can read the key files: {files}. The data directory is not opened. "
        "As the data directory's owner, run: chmod 600 {files}",
    ),
    "storage.disk_full": ("Diskā nav vietas: {detail}", "The disk is full: {detail}"),
    "storage.locked": ("Datubāzi aizņem cits process: {detail}", "The database is in use by another process: {detail}"),
    "storage.corrupt": ("Datubāze ir bojāta: {detail}", "The database is damaged: {detail}"),
    "storage.too_new": (
        "Datubāze ir no jaunākas programmas versijas ({found} > {supported})",
        "The database comes from a newer program version ({found} > {supported})",
    ),
    "storage.io": ("Datus nevar saglabāt: {detail}", "Data cannot be saved: {detail}"),
    # QR payload
    "payload.not_ballot": ("QR kods nav šīs sistēmas biļetena kods", "The QR code is not a ballot code of this system"),
    "payload.malformed": ("Biļetena QR kods ir bojāts ({detail})", "The ballot QR code is malformed ({detail})"),
    "payload.bad_version": ("Neatbalstīta biļetena formāta versija {version}", "Unsupported ballot format version {version}"),
    "payload.foreign_campaign": ("Biļetens ir no citas kampaņas", "The ballot belongs to another campaign"),
    "payload.other_institution": ("Biļetens ir no citas iestādes", "The ballot belongs to another institution"),
    "payload.unknown_layout": ("Nezināms biļetena izkārtojums {layout}", "Unknown ballot layout {layout}"),
    "payload.bad_tag": (
        "Biļetena autentiskuma zīme nav derīga: iespējams viltojums",
        "The ballot's authenticity tag is invalid: possibly forged",
    ),
    "payload.bad_serial_text": (
        "“{text}” nav biļetena numurs: ierakstiet visu rindu zem QR koda (XXXX-XXXX-XXXXX-XXXX)",
        "“{text}” is not a ballot number: type the whole line under the QR code (XXXX-XXXX-XXXXX-XXXX)",
    ),
    "payload.no_check": (
        "Ierakstiet arī četras pārbaudes zīmes numura beigās (XXXX-XXXX-XXXXX-XXXX)",
        "Type the four check characters at the end of the number too (XXXX-XXXX-XXXXX-XXXX)",
    ),
    "payload.bad_check": (
        "Numurs neatbilst šīs iestādes biļetenam: pārbaudiet katru zīmi (vai tas ir citas iestādes biļetens)",
        "The number does not match a ballot of this institution: check every character (or it is another "
        "institution's ballot)",
    ),
    # layout and printing
    "layout.too_long": (
        "Biļetens neietilpst {page} lapā: sarakstā ir {count} speciālisti, ar rūtiņām ietilpst līdz {max}. "
        "Izmantojiet numurētu sarakstu ar ciparu rūtiņām (style = \"number\" vai number_above)",
        "The ballot does not fit on {page}: the roster has {count} specialists, with boxes {max} fit. "
        "Use the numbered list with digit boxes (style = \"number\" or number_above)",
    ),
    "layout.too_long_for_page": (
        "Biļetens neietilpst {page} lapā: sarakstā ir {count} speciālisti, ietilpst līdz {max}. "
        "Izvēlieties {other} vai numurētu sarakstu ar ciparu rūtiņām (style = \"number\")",
        "The ballot does not fit on {page}: the roster has {count} specialists, {max} fit. "
        "Choose {other} or the numbered list with digit boxes (style = \"number\")",
    ),
    "layout.too_long_numbered": (
        "Biļetens neietilpst {page} lapā pat ar numurētu sarakstu: sarakstā ir {count} speciālisti, ietilpst līdz {max}",
        "The ballot does not fit on {page} even as a numbered list: the roster has {count} specialists, {max} fit",
    ),
    "print.count": ("Biļetenu skaitam jābūt no 1 līdz {max}", "The ballot count must be between 1 and {max}"),
    "print.output": ("Biļetenu failu nevar ierakstīt: {detail}", "Cannot write the ballot file: {detail}"),
    "print.no_printer": ("Printeris nav pieejams: {detail}", "No printer available: {detail}"),
    "print.failed": (
        "Drukāšana neizdevās: {detail}. {voided:Anulēts|Anulēti} {voided} {voided:biļetens|biļeteni}",
        "Printing failed: {detail}. {voided} {voided:ballot|ballots} voided",
    ),
    "print.cancelled": (
        "Drukāšana atcelta. {voided:Anulēts|Anulēti} {voided} {voided:biļetens|biļeteni}",
        "Printing cancelled. {voided} {voided:ballot|ballots} voided",
    ),
    # printers and their spooler: why a job was refused or did not come out (a printer's
    # reason is its own text plus the IPP keywords below, "printer.<keyword>")
    "print.no_spooler": ("Drukas serveris (CUPS) nav pieejams: {detail}", "The print server (CUPS) is not available: {detail}"),
    "print.printer_missing": (
        "Printeris “{printer}” nav atrasts: tas nav pievienots vai ir dzēsts",
        "Printer “{printer}” was not found: it has not been added or was deleted",
    ),
    "print.printer_stopped": ("Printeris “{printer}” ir apturēts: {reason}", "Printer “{printer}” is stopped: {reason}"),
    "print.printer_rejecting": (
        "Printeris “{printer}” nepieņem drukas darbus: {reason}",
        "Printer “{printer}” does not accept print jobs: {reason}",
    ),
    "print.refused": ("Printeris “{printer}” atteica drukas darbu: {detail}", "Printer “{printer}” refused the print job: {detail}"),
    "print.job_cancelled": (
        "drukas darbs printerī “{printer}” tika atcelts drukas rindā ({reason})",
        "the print job on “{printer}” was cancelled in the print queue ({reason})",
    ),
    "print.job_aborted": (
        "printeris “{printer}” pārtrauca drukas darbu ({reason})",
        "printer “{printer}” aborted the print job ({reason})",
    ),
    "print.queue_gone": (
        "printera “{printer}” rinda tika dzēsta drukāšanas laikā",
        "the queue of printer “{printer}” was deleted while printing",
    ),
    "print.job_gone": (
        "drukas darbs pazuda no printera “{printer}” rindas",
        "the print job disappeared from the queue of printer “{printer}”",
    ),
    "print.timeout": (
        "printeris “{printer}” {seconds} s laikā nepabeidza drukāt ({state})",
        "printer “{printer}” did not finish within {seconds} s ({state})",
    ),
    "print.timeout_reason": (
        "printeris “{printer}” {seconds} s laikā nepabeidza drukāt ({state}; printeris ziņo: {reason})",
        "printer “{printer}” did not finish within {seconds} s ({state}; the printer reports: {reason})",
    ),
    "print.state_pending": ("darbs vēl gaidīja rindā", "the job was still waiting in the queue"),
    "print.state_held": ("darbs bija aizturēts rindā", "the job was held in the queue"),
    "print.state_processing": ("darbs vēl drukājās", "the job was still printing"),
    "print.state_stopped": ("darbs bija apturēts", "the job was stopped"),
    "print.paper": (
        "{page} biļetenus nevar drukāt uz {paper} papīra, tos nesamazinot",
        "{page} ballots cannot be printed on {paper} paper without shrinking them",
    ),
    "print.paper_missing": ("Printerim nav {paper} papīra", "The printer has no {paper} paper"),
    "print.purge": (
        "Drukas serveris neizdzēsa pabeigtā darba failus: {detail}",
        "The print server did not delete the finished job's files: {detail}",
    ),
    "print.interrupted": (
        "Iepriekš pārtraukti drukas darbi: {jobs}; anulēti biļeteni: {voided}",
        "Print jobs interrupted earlier: {jobs}; ballots voided: {voided}",
    ),
    "printer.media-empty": ("beidzies papīrs", "out of paper"),
    "printer.media-needed": ("jāieliek papīrs", "paper needed"),
    "printer.media-jam": ("iestrēdzis papīrs", "paper jam"),
    "printer.toner-empty": ("beidzies toneris", "out of toner"),
    "printer.marker-supply-empty": ("beigusies tinte vai toneris", "out of ink or toner"),
    "printer.door-open": ("atvērts printera vāks", "a printer door is open"),
    "printer.cover-open": ("atvērts printera vāks", "a printer cover is open"),
    "printer.input-tray-missing": ("nav papīra paplātes", "a paper tray is missing"),
    "printer.offline": ("printeris nav sasniedzams", "the printer cannot be reached"),
    "printer.shutdown": ("printeris ir izslēgts", "the printer is switched off"),
    "printer.paused": ("rinda ir apturēta", "the queue is paused"),
    "printer.connecting-to-device": ("savienojas ar printeri", "connecting to the printer"),
    "printer.job-canceled-by-user": ("atcēla lietotājs", "cancelled by a user"),
    "printer.job-canceled-by-operator": ("atcēla operators", "cancelled by an operator"),
    "printer.job-canceled-at-device": ("atcelts printerī", "cancelled at the printer"),
    "printer.aborted-by-system": ("pārtrauca drukas sistēma", "aborted by the printing system"),
    "printer.document-format-error": ("printeris nesaprata dokumentu", "the printer could not read the document"),
    "printer.printer-stopped": ("printeris ziņo par kļūdu", "the printer reports an error"),
    "printer.unknown": ("iemesls nav zināms", "reason unknown"),
    # decoding
    "qr.backend_unavailable": ("QR dekoderis '{backend}' nav pieejams: {detail}", "QR decoder '{backend}' is not available: {detail}"),
    # reading: one entry per sheet reason code (kiosk.intake.scan); "sheet.<reason>"
    "sheet.no_qr": ("Biļetena QR kods nav atrasts", "No ballot QR code found"),
    "sheet.blank_back": ("Tukša lapas otrā puse", "Blank back of a page"),
    "sheet.multiple_qr": ("Vienā attēlā ir vairāki biļeteni", "More than one ballot in one image"),
    "sheet.unreadable_marks": (
        "Biļetena reģistrācijas zīmes vai rūtiņas nevar atrast: skenējiet vēlreiz",
        "The ballot's registration marks or boxes cannot be found: scan it again",
    ),
    "sheet.not_ballot": ("QR kods nav šīs sistēmas biļetena kods", "The QR code is not a ballot code of this system"),
    "sheet.malformed_qr": ("Biļetena QR kods ir bojāts", "The ballot QR code is malformed"),
    "sheet.bad_version": ("Neatbalstīta biļetena formāta versija", "Unsupported ballot format version"),
    "sheet.foreign_campaign": ("Biļetens ir no citas kampaņas", "The ballot belongs to another campaign"),
    "sheet.other_institution": ("Biļetens ir no citas iestādes", "The ballot belongs to another institution"),
    "sheet.bad_tag": (
        "Biļetena autentiskuma zīme nav derīga: iespējams viltojums",
        "The ballot's authenticity tag is invalid: possibly forged",
    ),
    "sheet.unknown_layout": ("Nezināms biļetena izkārtojums", "Unknown ballot layout"),
    "sheet.unsupported_file": (
        "Fails nav attēls vai PDF (atbalstīti PNG, JPEG, TIFF, PDF)",
        "The file is not an image or PDF (PNG, JPEG, TIFF and PDF are supported)",
    ),
    "sheet.corrupt_file": ("Fails ir bojāts vai nepilnīgs: {detail}", "The file is damaged or incomplete: {detail}"),
    "sheet.empty_file": ("Fails ir tukšs", "The file is empty"),
    "sheet.too_large": ("Attēls ir pārāk liels ({detail})", "The image is too large ({detail})"),
    "sheet.not_found": ("Fails nav atrasts", "File not found"),
    "sheet.unreadable_file": ("Failu nevar nolasīt: {detail}", "Cannot read the file: {detail}"),
    "sheet.internal_error": (
        "Iekšēja kļūda, lapa nav saglabāta (mēģiniet vēlreiz; sīkāk žurnālā)",
        "Internal error, the page was not stored (try again; details in the log)",
    ),
    "sheet.overvote": ("Jautājumā atzīmēts vairāk nekā viens variants", "More than one option marked in a question"),
    "sheet.marginal_mark": ("Neskaidra atzīme: jāizlemj cilvēkam", "An unclear mark: a person must decide"),
    "sheet.unclear_box": ("Rūtiņu nevar droši nolasīt", "A box cannot be read reliably"),
    "sheet.undervote": ("Obligātajā jautājumā nekas nav atzīmēts", "Nothing marked in a required question"),
    "sheet.blank_ballot": ("Biļetenā nekas nav atzīmēts", "Nothing marked on the ballot"),
    "sheet.write_in": (
        "Ierakstīts cits speciālists: izvēlieties viņu no saraksta vai atzīstiet par nederīgu",
        "Another specialist written in: pick them from the roster or mark it invalid",
    ),
    "sheet.qr_damaged": (
        "QR kods bojāts, bet tas ir šīs iestādes biļetens: ierakstiet numuru, kas iespiests zem koda",
        "The QR code is damaged, but this is a ballot of this institution: type the number printed under the code",
    ),
    "sheet.unknown_number": (
        "Atzīmētais numurs nav sarakstā",
        "The number marked is not in the list",
    ),
    "sheet.number_unclear": (
        "Numura cipari nav skaidri (vienā rindā vairāki vai kāds trūkst)",
        "The number's digits are not clear (several in one row, or one missing)",
    ),
    "sheet.unstable_read": (
        "Kamera biļetenu neredzēja pietiekami ilgi, lai to droši nolasītu",
        "The camera did not see the ballot steadily enough to read it safely",
    ),
    "sheet.voided_serial": (
        "Šī biļetena numurs ir anulēts (tā drukāšana neizdevās vai tika atcelta): izlemiet, vai to skaitīt",
        "This ballot's serial was voided (its printing failed or was cancelled): decide whether it counts",
    ),
    "sheet.duplicate_serial": (
        "Šī biļetena numurs jau ir nolasīts: kopija netiek skaitīta",
        "This ballot's serial was already read: the copy does not count",
    ),
    # generic
    "usage": ("{detail}", "{detail}"),
    # people at the kiosk: sign-in, roles, settings
    "auth.wrong_pin": ("Nepareizs PIN kods: {left_lv}", "Wrong PIN: {left_en}"),
    "auth.locked": (
        "Pārāk daudz nepareizu PIN kodu. Mēģiniet vēlreiz pēc {seconds} s",
        "Too many wrong PINs. Try again in {seconds} s",
    ),
    "auth.forbidden": (
        "Lomai “{role_lv}” šī darbība nav atļauta",
        "The role “{role_en}” may not do this",
    ),
    "auth.signed_out": ("Neviens nav pierakstījies: ievadiet PIN kodu", "Nobody is signed in: enter a PIN"),
    "auth.bad_pin": ("PIN kodā jābūt {min}–{max} cipariem", "A PIN must have {min}–{max} digits"),
    "auth.pin_taken": (
        "Šai lomai jau ir lietotājs ar šādu PIN kodu: izvēlieties citu",
        "Another user of this role has this PIN: choose another",
    ),
    "auth.bad_name": ("Lietotāja vārds nedrīkst būt tukšs", "The user's name must not be empty"),
    "auth.last_office": (
        "Pēdējo biroja lietotāju nevar atslēgt: bez tā kiosku nevar aizvērt",
        "The last office user cannot be deactivated: the kiosk could not be closed without one",
    ),
    "auth.unknown_user": ("Lietotājs nav atrasts", "User not found"),
    "auth.pin_needed": (
        "Šai komandai vajag lomas “{role_lv}” PIN kodu: iestatiet vides mainīgo KIOSK_PIN "
        "(lomu izvēlas ar --role vai KIOSK_ROLE) vai palaidiet komandu terminālī, kur to pajautās",
        "This command needs a PIN of the role “{role_en}”: set the environment variable KIOSK_PIN "
        "(choose the role with --role or KIOSK_ROLE) or run the command in a terminal, which asks for it",
    ),
    "settings.invalid": ("Nederīga vērtība iestatījumam “{key}”: {detail}", "Invalid value for setting “{key}”: {detail}"),
    "settings.unknown": ("Nezināms iestatījums “{key}”", "Unknown setting “{key}”"),
    # review of doubtful ballots
    "review.not_found": ("Biļetens nav atrasts (lapa {sheet})", "Ballot not found (sheet {sheet})"),
    "review.not_pending": (
        "Šis biļetens vairs negaida pārbaudi (lapa {sheet})",
        "This ballot no longer waits for review (sheet {sheet})",
    ),
    "review.too_many": (
        "Jautājumā “{question}” var būt tikai viena atbilde",
        "Question “{question}” takes only one answer",
    ),
    "review.unknown_option": (
        "Jautājumā “{question}” nav atbildes “{option}”",
        "Question “{question}” has no answer “{option}”",
    ),
    "review.serial_needed": (
        "Šim biļetenam QR kods nav nolasīts: vispirms ierakstiet numuru, kas iespiests zem koda",
        "This ballot's QR code could not be read: first type the number printed under the code",
    ),
    "review.serial_taken": (
        "Biļetens ar numuru {serial} jau ir nolasīts: šī lapa ir kopija. Noraidiet to",
        "The ballot {serial} was already read: this sheet is a copy. Reject it",
    ),
    "review.cannot_confirm": (
        "Mašīnas nolasījumu nevar apstiprināt: jautājumā “{question}” atzīmētas vairākas atbildes. "
        "Izlabojiet atzīmes vai noraidiet biļetenu",
        "The machine's reading cannot be confirmed: question “{question}” has several answers marked. "
        "Correct the marks or reject the ballot",
    ),
    "review.exported": (
        "Šis biļetens jau ir eksportēts partijā Nr. {batch}: lēmumu vairs nevar mainīt",
        "This ballot has already been exported in batch no. {batch}: its decision can no longer change",
    ),
    "review.undo_stale": (
        "Šo lēmumu vairs nevar atsaukt: biļetens pa to laiku izlemts vēlreiz",
        "This decision can no longer be undone: the ballot has been decided again since",
    ),
    "review.not_own": (
        "Atsaukt var tikai savu lēmumu; citu lēmumu var atkal atvērt birojs",
        "You can undo only your own decision; the office can reopen any other",
    ),
    "review.not_decided": (
        "Šis biļetens nav izlemts, tāpēc to nevar atvērt no jauna (lapa {sheet})",
        "This ballot has not been decided, so it cannot be reopened (sheet {sheet})",
    ),
    # signed batch export and central verification
    "export.output": ("Partijas failu nevar ierakstīt: {detail}", "Cannot write the batch file: {detail}"),
    "export.busy": (
        "Šobrīd jau notiek cita eksportēšana no šī kioska: uzgaidiet un mēģiniet vēlreiz",
        "Another export from this kiosk is running: wait and try again",
    ),
    "export.conflict": (
        "Partija {batch} netika reģistrēta: vienlaikus notika cita eksportēšana. Fails dzēsts, mēģiniet vēlreiz",
        "Batch {batch} was not recorded: another export ran at the same time. The file was removed, try again",
    ),
    "export.too_large": (
        "Partija ir pārāk liela vienam failam (virs 4 GiB vai 65 535 ierakstu): eksportējiet bez attēliem",
        "The batch is too large for one file (over 4 GiB or 65,535 entries): export without images",
    ),
    "export.invalid_record": (
        "Biļetenu {serial} nevar eksportēt: {detail}",
        "Ballot {serial} cannot be exported: {detail}",
    ),
    "export.image_missing": (
        "Skenētais attēls {sha256} nav pieejams: {detail}",
        "The scanned image {sha256} is not available: {detail}",
    ),
    "central.trust": ("Uzticamo atslēgu mape nav derīga: {detail}", "The trusted key directory is not valid: {detail}"),
    "central.no_files": ("Nav norādīts neviens partijas fails", "No batch file given"),
    "central.output": ("Failu nevar ierakstīt: {detail}", "Cannot write the file: {detail}"),
    "central.resolutions": (
        "Pretrunu lēmumu fails nav derīgs: {detail}",
        "The file of conflict decisions is not valid: {detail}",
    ),
    # the central office's own data directory (kiosk.central.office)
    "central.published": (
        "Rezultāti jau ir publicēti: lēmumus un tiešsaistes balsis vairs nevar mainīt",
        "The results are published: decisions and the online vote can no longer change",
    ),
    "central.undecided": (
        "Nevar publicēt: vēl nav izlemti pretrunīgie numuri ({count})",
        "Cannot publish: conflicting serials are not decided yet ({count})",
    ),
    "central.not_counted": (
        "Vispirms saskaitiet partijas (pretrunas ir zināmas tikai pēc skaitīšanas)",
        "Count the batches first (conflicts are known only after counting)",
    ),
    "central.no_conflict": (
        "Numuram {serial} nav šādas pretrunīgas kopijas: {detail}",
        "Serial {serial} has no such conflicting copy: {detail}",
    ),
    "central.no_campaign": (
        "Centrālajam birojam vēl nav norādīts kampaņas fails",
        "The central office has no campaign file yet",
    ),
    "central.import": (
        "Failu nevar nolasīt: {detail}",
        "Cannot read the file: {detail}",
    ),
    "central.revocations": (
        "Atsaukto kiosku saraksts nav derīgs: {detail}",
        "The list of revoked kiosks is not valid: {detail}",
    ),
    "central.online": (
        "Tiešsaistes balsu fails nav derīgs: {detail}",
        "The file of online votes is not valid: {detail}",
    ),
    "central.image": (
        "Biļetena attēlu no partijas nevar nolasīt: {detail}",
        "The ballot's image cannot be read from the batch: {detail}",
    ),
    # why a batch is refused ("batch.<reason>"; the reason is the name verify and tally report)
    "batch.bad_signature": (
        "Paraksts nav derīgs: manifests mainīts vai parakstīts ar citu atslēgu",
        "Bad signature: the manifest was changed or signed with another key",
    ),
    "batch.altered_record": (
        "Ieraksti neatbilst parakstītajai kontrolsummai: partija mainīta",
        "The records do not match the signed hash: the batch was altered",
    ),
    "batch.altered_image": (
        "Attēls neatbilst savai kontrolsummai: partija mainīta ({detail})",
        "An image does not match its hash: the batch was altered ({detail})",
    ),
    "batch.unknown_key": (
        "Partija parakstīta ar atslēgu, kas nav uzticamo sarakstā ({detail})",
        "The batch is signed with a key that is not trusted ({detail})",
    ),
    "batch.wrong_campaign": ("Partija nav no šīs kampaņas ({detail})", "The batch is not from this campaign ({detail})"),
    "batch.missing_batch": (
        "Ķēdē trūkst iepriekšējās partijas ({detail})",
        "An earlier batch of the chain is missing ({detail})",
    ),
    "batch.replayed_batch": (
        "Partija iesniegta atkārtoti ({detail})",
        "The batch was submitted again ({detail})",
    ),
    "batch.broken_chain": (
        "Partija neturpina šī kioska ķēdi ({detail})",
        "The batch does not continue this kiosk's chain ({detail})",
    ),
    "batch.bad_tag": (
        "Biļetena autentiskuma zīme nav derīga: iespējams viltojums ({detail})",
        "A ballot's authenticity tag is invalid: possibly forged ({detail})",
    ),
    "batch.malformed": ("Partijas fails ir bojāts vai nav partija ({detail})", "The batch file is damaged or not a batch ({detail})"),
    "batch.too_large": (
        "Partijas fails vai tā daļa ir lielāka, nekā pārbaude pieņem ({detail})",
        "The batch file or a part of it is larger than verification accepts ({detail})",
    ),
    "batch.revoked": (
        "Kiosks ir atsaukts (pazudis vai nozagts): tā partijas no šī datuma netiek skaitītas ({detail})",
        "The kiosk is revoked (lost or stolen): its batches from this date on are not counted ({detail})",
    ),
    # camera intake: the camera source in the Qt UI
    "camera.none": (
        "Kamera nav atrasta. Pievienojiet USB kameru (un pārbaudiet, vai datoram ir atļauts to lietot) "
        "vai atveriet video failu",
        "No camera found. Connect a USB camera (and check that the computer may use it) or open a video file",
    ),
    "camera.unplugged": (
        "Kamera tika atvienota. Jau nolasītie biļeteni ir saglabāti; pievienojiet kameru un sāciet vēlreiz",
        "The camera was disconnected. The ballots read so far are saved; reconnect the camera and start again",
    ),
    "camera.permission_denied": (
        "Piekļuve kamerai ir liegta. Atļaujiet programmai lietot kameru (sistēmas iestatījumos) un mēģiniet vēlreiz",
        "Access to the camera was denied. Allow the program to use the camera (in the system settings) and try again",
    ),
    "camera.cannot_open": (
        "Kameru nevar atvērt ({detail}). Pārbaudiet, vai to nelieto cita programma, un mēģiniet vēlreiz",
        "The camera cannot be opened ({detail}). Check that no other program is using it and try again",
    ),
    "camera.no_picture": (
        "Kamera nesūta attēlu. Pārbaudiet tās vadu un sāciet vēlreiz; jau nolasītie biļeteni ir saglabāti",
        "The camera sends no picture. Check its cable and start again; the ballots read so far are saved",
    ),
    "camera.video_failed": ("Video failu nevar atskaņot: {detail}", "The video file cannot be played: {detail}"),
    # hostile or unfinished inputs of a scan ("sheet.<reason>", kiosk.intake.scan)
    "sheet.special_file": (
        "Tas nav parasts fails (bet ierīce, kanāls vai sistēmas fails), tāpēc netiek lasīts: {detail}",
        "This is not a regular file (but a device, a pipe or a system file), so it is not read: {detail}",
    ),
    "sheet.unreadable_folder": ("Mapi nevar nolasīt: {detail}", "The folder cannot be read: {detail}"),
    "sheet.linked_folder": (
        "Saite uz citu mapi netiek izsekota: pievienojiet pašu mapi",
        "A link to another folder is not followed: add the folder itself",
    ),
    "sheet.file_changing": (
        "Fails vēl tiek rakstīts (mainījās lasīšanas laikā): tas tiks nolasīts, kad būs pabeigts",
        "The file is still being written (it changed while it was read): it is read once it is finished",
    ),
    "sheet.file_too_large": ("Fails ir pārāk liels ({detail} baiti)", "The file is too large ({detail} bytes)"),
    "sheet.too_many_pages": ("Failā ir pārāk daudz lapu ({detail})", "The file has too many pages ({detail})"),
    "sheet.encrypted": (
        "PDF fails ir aizsargāts ar paroli: saglabājiet to bez paroles un pievienojiet vēlreiz",
        "The PDF is protected by a password: save it without one and add it again",
    ),
    "sheet.damaged_video": (
        "Daļa video ir bojāta un izlaista, pārējais ir nolasīts ({detail})",
        "Part of the video is damaged and was skipped, the rest was read ({detail})",
    ),
    "watch.off": (
        "Skenera mape netiek vērota: ieslēdziet vērošanu ekrānā “Skenēt”",
        "The scanner folder is not being watched: turn watching on in the “Scan” screen",
    ),
    "watch.outside": ("Fails {path} nav skenera mapē {folder}", "The file {path} is not in the scanner folder {folder}"),
    "sheet.video_too_long": (
        "Video ir pārāk garš: nolasīta tikai tā sākuma daļa ({detail})",
        "The video is too long: only its beginning was read ({detail})",
    ),
}

LANGUAGES = ("lv", "en")


def default_language() -> str:
    lang = os.environ.get("KIOSK_LANG", "lv").lower()[:2]
    return lang if lang in LANGUAGES else "lv"


class Count(int):
    """A number in a message that agrees with its words: in a template, ``{n:one|many}``
    is the word for ``n`` (Latvian: 1, 21, 31 … but not 11 take ``one``; English: 1),
    and ``{n}`` the number itself."""

    lang = "lv"

    def __new__(cls, value: int, lang: str = "lv") -> "Count":
        made = super().__new__(cls, value)
        made.lang = lang
        return made

    def __format__(self, spec: str) -> str:
        if "|" not in spec:
            return format(int(self), spec)
        one, many = spec.split("|", 1)
        n = int(self)
        singular = n == 1 if self.lang == "en" else (n % 10 == 1 and n % 100 != 11)
        return one if singular else many


class KioskError(Exception):
    """A known, expected failure with a stable code and a translatable message."""

    def __init__(self, code: str, /, **params: Any) -> None:
        if code not in CATALOG:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        lang = lang or default_language()
        lv, en = CATALOG[self.code]
        template = en if lang == "en" else lv
        # a parameter that can speak (another KioskError, a printer's reason) speaks the same language
        params = {k: v.message(lang) if callable(getattr(v, "message", None))
                  else Count(v, lang) if type(v) is int else v for k, v in self.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return template

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: str(v) for k, v in self.params.items()}}


class CampaignError(KioskError):
    """A campaign file with one or more problems, each naming file and field."""

    def __init__(self, problems: list["Problem"]) -> None:
        self.problems = problems
        super().__init__("campaign.invalid", count=len(problems))

    def message(self, lang: str | None = None) -> str:
        head = super().message(lang)
        return head + ":\n" + "\n".join("  " + p.describe(lang) for p in self.problems)


class Problem:
    """One problem in a campaign file: where it is and what is wrong."""

    # problem code -> (Latvian, English)
    TEXTS: dict[str, tuple[str, str]] = {
        "missing": ("obligāts lauks nav norādīts", "required field is missing"),
        "type": ("jābūt {expected}", "must be {expected}"),
        "empty": ("nedrīkst būt tukšs", "must not be empty"),
        "duplicate_id": ("atkārtots identifikators '{value}'", "duplicate id '{value}'"),
        "bad_id": (
            "identifikatorā '{value}' atļauti tikai mazie latīņu burti, cipari, '-' un '_'",
            "id '{value}' may only contain lowercase latin letters, digits, '-' and '_'",
        ),
        "empty_roster": ("iestādei nav neviena speciālista", "the institution has no specialists"),
        "unknown_question_type": (
            "nezināms jautājuma tips '{value}' (atļauti: {allowed})",
            "unknown question type '{value}' (allowed: {allowed})",
        ),
        "bad_date": ("datums '{value}' nav derīgs", "'{value}' is not a valid date"),
        "impossible_dates": (
            "balsošanas beigas ({end}) ir pirms sākuma ({start})",
            "voting ends ({end}) before it starts ({start})",
        ),
        "bad_page_size": ("lapas izmērs '{value}' nav atbalstīts (a5 vai a4)", "page size '{value}' is not supported (a5 or a4)"),
        "bad_scale": ("skalai jābūt no 2 līdz 10", "the scale must be between 2 and 10"),
        "bad_key": ("demonstrācijas atslēgai jābūt 64 heksadecimāliem cipariem", "the demo key must be 64 hexadecimal digits"),
        "hash_collision": (
            "identifikatoru '{value}' un '{other}' saīsinājumi sakrīt: pārdēvējiet vienu",
            "ids '{value}' and '{other}' share a short hash: rename one",
        ),
        "unknown_field": ("nezināms lauks '{value}'", "unknown field '{value}'"),
        "bad_style": (
            "saraksta veids '{value}' nav zināms (atļauti: {allowed})",
            "list style '{value}' is unknown (allowed: {allowed})",
        ),
        "specialist_only": ("lauks '{value}' der tikai speciālistu jautājumam", "'{value}' applies to specialist questions only"),
        "review_required": (
            "'{value}' nav atļauts: šo gadījumu vienmēr izlemj cilvēks (tikai \"review\")",
            "'{value}' is not allowed: a person always decides this case (only \"review\")",
        ),
        "bad_review_value": ("'{value}' nav atļauts (atļauti: {allowed})", "'{value}' is not allowed (allowed: {allowed})"),
        "unknown_institution": ("iestāde '{value}' kampaņā nav atrasta", "institution '{value}' is not in the campaign"),
        "roster_too_long": (
            "{count} speciālisti neietilpst {page} lapā ar rūtiņām (ietilpst līdz {max}): izmantojiet numurētu "
            "sarakstu ar ciparu rūtiņām (jautājumā style = \"number\" vai number_above)",
            "{count} specialists do not fit on {page} with boxes ({max} fit): use the numbered list with digit boxes "
            "(style = \"number\" or number_above in the question)",
        ),
        "roster_too_long_for_page": (
            "{count} speciālisti neietilpst {page} lapā (ietilpst līdz {max}): izvēlieties page_size = \"{other}\" "
            "vai numurētu sarakstu ar ciparu rūtiņām (style = \"number\")",
            "{count} specialists do not fit on {page} ({max} fit): choose page_size = \"{other}\" or the numbered "
            "list with digit boxes (style = \"number\")",
        ),
        "roster_too_long_numbered": (
            "{count} speciālisti neietilpst {page} lapā pat numurētā sarakstā (ietilpst līdz {max})",
            "{count} specialists do not fit on {page} even as a numbered list ({max} fit)",
        ),
        "too_long": ("teksts ir par garu (vairāk nekā {max} rakstzīmes)", "text is too long (more than {max} characters)"),
        "no_questions": ("kampaņā nav neviena jautājuma", "the campaign has no questions"),
        "no_institutions": ("kampaņā nav nevienas iestādes", "the campaign has no institutions"),
        # [results]: how winners are found
        "bad_count": ("jābūt veselam skaitlim no {low} līdz {high}", "must be a whole number from {low} to {high}"),
        "unknown_ranking": (
            "nezināma iestāžu vērtēšanas kārtība '{value}' (atļautas: {allowed})",
            "unknown institution ranking '{value}' (allowed: {allowed})",
        ),
    }

    def __init__(self, file: str, field: str, code: str, **params: Any) -> None:
        if code not in self.TEXTS:
            raise ValueError(f"unknown problem code {code!r}")
        self.file, self.field, self.code, self.params = file, field, code, params

    def describe(self, lang: str | None = None) -> str:
        lv, en = self.TEXTS[self.code]
        text = (en if (lang or default_language()) == "en" else lv).format(**self.params)
        return f"{self.file}: {self.field}: {text}"

    def __repr__(self) -> str:
        return f"Problem({self.field!r}, {self.code!r})"
