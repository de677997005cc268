<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="lv">
<context>
    <name>BatchesPage</name>
    <message>
        <source>Atvērt mapi…</source>
        <translation>Open folder…</translation>
    </message>
    <message>
        <source>Atvērt failus…</source>
        <translation>Open files…</translation>
    </message>
    <message>
        <source>Vai ievelciet šeit mapi vai partiju failus (piemēram, no USB atmiņas).</source>
        <translation>Or drop a folder or batch files here (from a USB stick, for example).</translation>
    </message>
    <message>
        <source>Iestāde / kiosks</source>
        <translation>Institution / kiosk</translation>
    </message>
    <message>
        <source>Saņemtas</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Ieskaitītas</source>
        <translation>Counted</translation>
    </message>
    <message>
        <source>Ķēde</source>
        <translation>Chain</translation>
    </message>
    <message>
        <source>Ievērībai</source>
        <translation>Look here</translation>
    </message>
    <message>
        <source>Izslēgtie faili</source>
        <translation>Excluded files</translation>
    </message>
    <message>
        <source>Fails</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Kiosks</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <source>Nr.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Iemesls</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>pilna: partijas 1–{0}</source>
        <translation>complete: batches 1–{0}</translation>
    </message>
    <message>
        <source>pilna: partija 1</source>
        <translation>complete: batch 1</translation>
    </message>
    <message>
        <source>trūkst partijas Nr. {0}</source>
        <translation>batch no. {0} missing</translation>
    </message>
    <message>
        <source>sazarota: divi dažādi faili partijai Nr. {0}</source>
        <translation>forked: two different files for batch no. {0}</translation>
    </message>
    <message>
        <source>kiosks atsaukts: tā partijas neskaita</source>
        <translation>kiosk revoked: its batches do not count</translation>
    </message>
    <message>
        <source>ķēde pārtraukta: partija neturpina iepriekšējo</source>
        <translation>chain broken: a batch does not follow the one before</translation>
    </message>
    <message>
        <source>Vispirms norādiet kampaņas failu un galveno atslēgu (“Kampaņa un atslēgas”).</source>
        <translation>First give the campaign file and the master key (“Campaign and keys”).</translation>
    </message>
    <message>
        <source>Saņemti faili: {0} · kioski: {1} · iestādes: {2} · izslēgti faili: {3}</source>
        <translation>Files received: {0} · kiosks: {1} · institutions: {2} · excluded files: {3}</translation>
    </message>
    <message>
        <source>gaida pārbaudi: {0}</source>
        <translation>waiting for verification: {0}</translation>
    </message>
    <message>
        <source>visas ķēdes pilnas</source>
        <translation>every chain complete</translation>
    </message>
    <message>
        <source>skatīt kioskus</source>
        <translation>see the kiosks</translation>
    </message>
</context>
<context>
    <name>Bug</name>
    <message>
        <source>Radās programmas kļūda. Darbu var turpināt; sīkāka informācija ir žurnālā (logs/kiosk.log).</source>
        <translation>The program hit an error. You can carry on; details are in the log (logs/kiosk.log).</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <source>Atvērt video failu…</source>
        <translation>Open a video file…</translation>
    </message>
    <message>
        <source>Kamera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Gaida biļetenu</source>
        <translation>Waiting for a ballot</translation>
    </message>
    <message>
        <source>Turiet biļetenu zem kameras ar QR kodu uz augšu</source>
        <translation>Hold a ballot under the camera, QR code up</translation>
    </message>
    <message>
        <source>Apturēt</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Sākt</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Kamera ieslēgta</source>
        <translation>Camera on</translation>
    </message>
    <message>
        <source>Video: {name}</source>
        <translation>Video: {name}</translation>
    </message>
    <message>
        <source>Kamera nav ieslēgta. Izvēlieties kameru un spiediet “Sākt” vai atveriet video failu.</source>
        <translation>The camera is off. Choose a camera and press “Start”, or open a video file.</translation>
    </message>
    <message>
        <source>Gaida nākamo biļetenu</source>
        <translation>Waiting for the next ballot</translation>
    </message>
    <message>
        <source>Turiet biļetenu mierīgi…</source>
        <translation>Hold the ballot still…</translation>
    </message>
    <message>
        <source>Šis biļetens jau nolasīts: ņemiet nākamo</source>
        <translation>This ballot is already read: take the next one</translation>
    </message>
    <message>
        <source>Nolasīts: ņemiet nākamo biļetenu</source>
        <translation>Read: take the next ballot</translation>
    </message>
    <message>
        <source>Apturēts</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <source>Analizē {n} kadrus sekundē</source>
        <translation>Analysing {n} frames a second</translation>
    </message>
    <message>
        <source>Analizēti {n} kadri</source>
        <translation>{n} frames analysed</translation>
    </message>
    <message>
        <source>Kamera {n}</source>
        <translation>Camera {n}</translation>
    </message>
    <message>
        <source>Nav kameras</source>
        <translation>No camera</translation>
    </message>
    <message>
        <source>Video ar biļeteniem</source>
        <translation>Video of ballots</translation>
    </message>
    <message>
        <source>Video (*.mp4 *.webm *.mkv *.mov *.avi);;Visi faili (*)</source>
        <translation>Video (*.mp4 *.webm *.mkv *.mov *.avi);;All files (*)</translation>
    </message>
    <message>
        <source>Kamera apturēta. Ieskaitīti {c}, jāpārbauda {r}, noraidīti {x}, dublikāti {d}.</source>
        <translation>Camera stopped. Counted {c}, to review {r}, rejected {x}, duplicates {d}.</translation>
    </message>
</context>
<context>
    <name>CentralWindow</name>
    <message>
        <source>Centrālais birojs</source>
        <translation>Central office</translation>
    </message>
    <message>
        <source>Kampaņa un atslēgas…</source>
        <translation>Campaign and keys…</translation>
    </message>
    <message>
        <source>Pārtraukt</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Partijas</source>
        <translation>Batches</translation>
    </message>
    <message>
        <source>Pretrunas ({0})</source>
        <translation>Conflicts ({0})</translation>
    </message>
    <message>
        <source>Pretrunas</source>
        <translation>Conflicts</translation>
    </message>
    <message>
        <source>Rezultāti</source>
        <translation>Results</translation>
    </message>
    <message>
        <source>Vēl notiek iepriekšējais darbs: pagaidiet, līdz tas beidzas.</source>
        <translation>The previous task is still running: wait until it ends.</translation>
    </message>
    <message>
        <source>Saņem failus</source>
        <translation>Receiving files</translation>
    </message>
    <message>
        <source>Pārbauda partijas</source>
        <translation>Verifying batches</translation>
    </message>
    <message>
        <source>Skaita</source>
        <translation>Counting</translation>
    </message>
    <message>
        <source>Publicē</source>
        <translation>Publishing</translation>
    </message>
    <message>
        <source>Strādā</source>
        <translation>Working</translation>
    </message>
    <message>
        <source>Radās programmas kļūda; sīkāka informācija ir žurnālā.</source>
        <translation>A program error occurred; the details are in the log.</translation>
    </message>
    <message>
        <source>Gatavs.</source>
        <translation>Ready.</translation>
    </message>
    <message>
        <source>Jauni faili: {0} (no tiem izslēgti: {1}) · jau saņemti agrāk: {2}</source>
        <translation>New files: {0} (excluded among them: {1}) · received before: {2}</translation>
    </message>
    <message>
        <source>nenolasāmi: {0}</source>
        <translation>unreadable: {0}</translation>
    </message>
    <message>
        <source>Lēmums saglabāts: {0}</source>
        <translation>Decision saved: {0}</translation>
    </message>
    <message>
        <source>Rezultāti publicēti: {0}</source>
        <translation>Results published: {0}</translation>
    </message>
    <message>
        <source>Tiešsaistes balsis importētas: {0} ({1})</source>
        <translation>Online votes imported: {0} ({1})</translation>
    </message>
    <message>
        <source>Atver datus…</source>
        <translation>Opening the data…</translation>
    </message>
    <message>
        <source>Saglabā iestatījumus…</source>
        <translation>Saving the settings…</translation>
    </message>
    <message>
        <source>Vispirms norādiet kampaņas failu (“Kampaņa un atslēgas”).</source>
        <translation>First give the campaign file (“Campaign and keys”).</translation>
    </message>
    <message>
        <source>Saņem failus…</source>
        <translation>Receiving files…</translation>
    </message>
    <message>
        <source>Saglabā lēmumu…</source>
        <translation>Saving the decision…</translation>
    </message>
    <message>
        <source>Atsauc lēmumu…</source>
        <translation>Withdrawing the decision…</translation>
    </message>
    <message>
        <source>Importē tiešsaistes balsis…</source>
        <translation>Importing the online votes…</translation>
    </message>
    <message>
        <source>Apstiprināt</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <source>Publicēt rezultātus? Pēc publicēšanas lēmumus un tiešsaistes balsis vairs nevar mainīt.</source>
        <translation>Publish the results? After publication the decisions and the online votes can no longer change.</translation>
    </message>
    <message>
        <source>Izslēgtie faili ({0}) netiek skaitīti; ziņojumā tie ir uzskaitīti.</source>
        <translation>Excluded files ({0}) are not counted; the report lists them.</translation>
    </message>
    <message>
        <source>Publicē…</source>
        <translation>Publishing…</translation>
    </message>
    <message>
        <source>Mape ar partiju failiem</source>
        <translation>Folder with batch files</translation>
    </message>
    <message>
        <source>Partiju faili</source>
        <translation>Batch files</translation>
    </message>
    <message>
        <source>Partiju faili (*.zip)</source>
        <translation>Batch files (*.zip)</translation>
    </message>
    <message>
        <source>Tiešsaistes balsis</source>
        <translation>Online votes</translation>
    </message>
    <message>
        <source>CSV faili (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
</context>
<context>
    <name>ConflictsPage</name>
    <message>
        <source>Pretrunīgi numuri</source>
        <translation>Conflicting serials</translation>
    </message>
    <message>
        <source>Neskaitīt nevienu kopiju</source>
        <translation>Count no copy</translation>
    </message>
    <message>
        <source>Piezīme: kāpēc tā izlemts (ieraksta ziņojumā)</source>
        <translation>Note: why it was decided so (written into the report)</translation>
    </message>
    <message>
        <source>Saglabāt lēmumu</source>
        <translation>Save decision</translation>
    </message>
    <message>
        <source>Atsaukt lēmumu</source>
        <translation>Withdraw decision</translation>
    </message>
    <message>
        <source>Viena numura kopijas nesakrīt: tās netiek skaitītas nevienam, kamēr cilvēks neizlemj, kura kopija skaitās (vai neviena). Lēmumu var mainīt līdz rezultātu publicēšanai.</source>
        <translation>The copies of one serial disagree: they count for nobody until a person decides which copy counts (or none). The decision can be changed until the results are published.</translation>
    </message>
    <message>
        <source>atšķirīgas atzīmes</source>
        <translation>different marks</translation>
    </message>
    <message>
        <source>viena kopija noraidīta</source>
        <translation>one copy rejected</translation>
    </message>
    <message>
        <source>izlemts</source>
        <translation>decided</translation>
    </message>
    <message>
        <source>neizlemts</source>
        <translation>undecided</translation>
    </message>
    <message>
        <source>Pretrunu nav: katrs numurs skaitīts vienreiz.</source>
        <translation>No conflicts: every serial counted once.</translation>
    </message>
    <message>
        <source>Vēl nav saskaitīts.</source>
        <translation>Not counted yet.</translation>
    </message>
    <message>
        <source>Numurs {0}: {1}</source>
        <translation>Serial {0}: {1}</translation>
    </message>
    <message>
        <source>neskaita nevienu kopiju</source>
        <translation>no copy counts</translation>
    </message>
    <message>
        <source>skaita {0} partijas {1} kopiju</source>
        <translation>the copy in {0} batch {1} counts</translation>
    </message>
    <message>
        <source>Lēmums: {0} ({1}, {2} UTC){3}</source>
        <translation>Decision: {0} ({1}, {2} UTC){3}</translation>
    </message>
    <message>
        <source>Vēl nav izlemts: šis numurs netiek skaitīts.</source>
        <translation>Not decided yet: this serial is not counted.</translation>
    </message>
    <message>
        <source>partijā nav attēla</source>
        <translation>the batch carries no image</translation>
    </message>
</context>
<context>
    <name>CopyCard</name>
    <message>
        <source>attēls tiek ielādēts…</source>
        <translation>loading the image…</translation>
    </message>
    <message>
        <source>partija {0}</source>
        <translation>batch {0}</translation>
    </message>
    <message>
        <source>nekas nav atzīmēts</source>
        <translation>nothing marked</translation>
    </message>
    <message>
        <source>mašīna</source>
        <translation>the machine</translation>
    </message>
    <message>
        <source>nolasīja: {0}</source>
        <translation>read by: {0}</translation>
    </message>
    <message>
        <source>noraidīts pārskatīšanā ({0})</source>
        <translation>rejected in review ({0})</translation>
    </message>
    <message>
        <source>Skaitīt šo kopiju</source>
        <translation>Count this copy</translation>
    </message>
</context>
<context>
    <name>ExitDialog</name>
    <message>
        <source>Aizvērt kiosku</source>
        <translation>Close the kiosk</translation>
    </message>
    <message>
        <source>Kiosku var aizvērt tikai birojs. Ievadiet biroja PIN kodu.</source>
        <translation>Only the office can close the kiosk. Enter an office PIN.</translation>
    </message>
    <message>
        <source>Atcelt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Biroja pierakstīšanās bloķēta. Mēģiniet vēlreiz pēc {s} s.</source>
        <translation>The office&apos;s sign-in is locked. Try again in {s} s.</translation>
    </message>
    <message>
        <source>Birojam {left}.</source>
        <translation>Office: {left}.</translation>
    </message>
</context>
<context>
    <name>ExportScreen</name>
    <message>
        <source>Gatavi nākamajai partijai</source>
        <translation>Ready for the next batch</translation>
    </message>
    <message>
        <source>Atvērt pārbaudi</source>
        <translation>Open review</translation>
    </message>
    <message>
        <source>Partiju mape</source>
        <translation>Batch folder</translation>
    </message>
    <message>
        <source>Mainīt mapi…</source>
        <translation>Change folder…</translation>
    </message>
    <message>
        <source>Atvērt mapi</source>
        <translation>Open folder</translation>
    </message>
    <message>
        <source>Iekļaut partijā skenētos attēlus (lielāks fails)</source>
        <translation>Include the scanned images in the batch (larger file)</translation>
    </message>
    <message>
        <source>Izveidot parakstītu partiju</source>
        <translation>Create a signed batch</translation>
    </message>
    <message>
        <source>Iepriekšējās partijas</source>
        <translation>Earlier batches</translation>
    </message>
    <message>
        <source>Partija Nr. {n} izveidota un parakstīta: ieskaitīti {c}, noraidīti {r}.
Nosūtiet centrālajam birojam partiju “{file}” no mapes {folder}. Partijā ir iestādes apliecinājums, ka tā ir no šī kioska; kioska atslēgas failu “{key}” sūtiet tikai tad, ja birojs to lūdz.</source>
        <translation>Batch no. {n} made and signed: {c} counted, {r} rejected.
Send the batch “{file}” from the folder {folder} to the central office. The batch carries the institution&apos;s word that it comes from this kiosk; send the kiosk&apos;s key file “{key}” only if the office asks for it.</translation>
    </message>
    <message>
        <source>Nr.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Izveidota</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Ieskaitīti</source>
        <translation>Counted</translation>
    </message>
    <message>
        <source>Noraidīti</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <source>Gaidīja pārbaudi</source>
        <translation>Awaiting review</translation>
    </message>
    <message>
        <source>Fails</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Ieskaitīti: {c} · Noraidīti: {r} · Jau eksportēti agrāk: {e}</source>
        <translation>Counted: {c} · Rejected: {r} · Exported earlier: {e}</translation>
    </message>
    <message>
        <source>Uzmanību: vēl gaida pārbaudi: {n}. Šie biļeteni netiks iekļauti šajā partijā, bet nonāks nākamajā, kad būs pārbaudīti.</source>
        <translation>Note: still awaiting review: {n}. These ballots will not be in this batch; they go into the next one once reviewed.</translation>
    </message>
    <message>
        <source>Kopš pēdējās partijas nav jaunu biļetenu: jaunu partiju izveidot nevar, jo tā būtu tukša.</source>
        <translation>No new ballots since the last batch: a new batch cannot be made, it would be empty.</translation>
    </message>
    <message>
        <source>Partija Nr. {n} izveidota.</source>
        <translation>Batch no. {n} made.</translation>
    </message>
    <message>
        <source>Visi nolasītie biļeteni ir izlemti.</source>
        <translation>Every ballot read has been decided.</translation>
    </message>
    <message>
        <source>Partiju mapi {folder} nevar izveidot: {error}</source>
        <translation>The batch folder {folder} cannot be created: {error}</translation>
    </message>
    <message>
        <source>Failu pārvaldnieks šajā datorā nav atrasts. Partijas ir mapē {folder}: nokopējiet tās no turienes (piemēram, uz USB zibatmiņu).</source>
        <translation>No file manager was found on this computer. The batches are in the folder {folder}: copy them from there (for example onto a USB stick).</translation>
    </message>
    <message>
        <source>Partija netika izveidota: kopš pēdējās partijas nav jaunu biļetenu.</source>
        <translation>No batch was made: there are no new ballots since the last batch.</translation>
    </message>
    <message>
        <source>Partija tiek veidota un parakstīta…</source>
        <translation>Creating and signing the batch…</translation>
    </message>
    <message>
        <source>Partija Nr. {n} izveidota. Vēl gaida pārbaudi: {p}.</source>
        <translation>Batch no. {n} created. Still awaiting review: {p}.</translation>
    </message>
</context>
<context>
    <name>IntakeScreen</name>
    <message>
        <source>Avots:</source>
        <translation>Source:</translation>
    </message>
    <message>
        <source>Faili un mapes</source>
        <translation>Files and folders</translation>
    </message>
    <message>
        <source>Skenera mape</source>
        <translation>Scanner folder</translation>
    </message>
    <message>
        <source>Kamera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Pievienot failus…</source>
        <translation>Add files…</translation>
    </message>
    <message>
        <source>Pievienot mapi…</source>
        <translation>Add a folder…</translation>
    </message>
    <message>
        <source>PDF, PNG, JPEG vai TIFF no skenera. Katrs fails tiek nolasīts vienreiz.</source>
        <translation>PDF, PNG, JPEG or TIFF from the scanner. Each file is read once.</translation>
    </message>
    <message>
        <source>Mainīt mapi…</source>
        <translation>Change folder…</translation>
    </message>
    <message>
        <source>Notīrīt sarakstu</source>
        <translation>Clear the list</translation>
    </message>
    <message>
        <source>Notīra tikai šo sarakstu ekrānā; nolasītie biļeteni paliek saglabāti.</source>
        <translation>Clears only this list on the screen; the ballots read stay stored.</translation>
    </message>
    <message>
        <source>Atvērt pārbaudei no jauna</source>
        <translation>Reopen for review</translation>
    </message>
    <message>
        <source>Pārbaudīt šo biļetenu</source>
        <translation>Review this ballot</translation>
    </message>
    <message>
        <source>Rādīt tikai šīs rindas (vēlreiz: visas)</source>
        <translation>Show only these rows (again: all)</translation>
    </message>
    <message>
        <source>Apturēt</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Izvēlieties rindu sarakstā, lai redzētu biļetenu</source>
        <translation>Choose a row in the list to see the ballot</translation>
    </message>
    <message>
        <source>Nr.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Fails</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Rezultāts</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Iemesls</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Ieskaitīts</source>
        <translation>Counted</translation>
    </message>
    <message>
        <source>Jāpārbauda</source>
        <translation>Needs review</translation>
    </message>
    <message>
        <source>Noraidīts</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <source>Dublikāts</source>
        <translation>Duplicate</translation>
    </message>
    <message>
        <source>biļetens Nr. {serial}</source>
        <translation>ballot no. {serial}</translation>
    </message>
    <message>
        <source>Kamera: {device}</source>
        <translation>Camera: {device}</translation>
    </message>
    <message>
        <source>Kopija no: {sheet}.</source>
        <translation>A copy of: {sheet}.</translation>
    </message>
    <message>
        <source>Atzīmes abās lapās sakrīt.</source>
        <translation>The marks on both sheets agree.</translation>
    </message>
    <message>
        <source>Atzīmes atšķiras: skaitās tikai pirmā lapa.</source>
        <translation>The marks differ: only the first sheet counts.</translation>
    </message>
    <message>
        <source>Biļetens atkal gaida pārbaudi (“Pārbaudīt”).</source>
        <translation>The ballot waits for review again (“Review”).</translation>
    </message>
    <message>
        <source>Ieskaitīti: {n}</source>
        <translation>Counted: {n}</translation>
    </message>
    <message>
        <source>Jāpārbauda: {n}</source>
        <translation>Needs review: {n}</translation>
    </message>
    <message>
        <source>Noraidīti: {n}</source>
        <translation>Rejected: {n}</translation>
    </message>
    <message>
        <source>Dublikāti: {n}</source>
        <translation>Duplicates: {n}</translation>
    </message>
    <message>
        <source>Jau nolasīti agrāk: {n}</source>
        <translation>Read before: {n}</translation>
    </message>
    <message>
        <source>Skenera mape nav pieejama</source>
        <translation>Scanner folder not available</translation>
    </message>
    <message>
        <source>Skenera mape: vēro</source>
        <translation>Scanner folder: watched</translation>
    </message>
    <message>
        <source> (gaida: {n})</source>
        <translation> ({n} waiting)</translation>
    </message>
    <message>
        <source>Skenera mape: nevēro</source>
        <translation>Scanner folder: not watched</translation>
    </message>
    <message>
        <source>Beigt vērot</source>
        <translation>Stop watching</translation>
    </message>
    <message>
        <source>Mape {folder} nav pieejama; vērošana turpināsies, kad tā atgriezīsies.</source>
        <translation>The folder {folder} is not available; watching goes on when it is back.</translation>
    </message>
    <message>
        <source>Vēro mapi {folder}. Jauni faili tiek nolasīti, tiklīdz skeneris tos pabeidzis.</source>
        <translation>Watching {folder}. New files are read as soon as the scanner has finished them.</translation>
    </message>
    <message>
        <source>Sākt vērot</source>
        <translation>Start watching</translation>
    </message>
    <message>
        <source>Skenera mape: {folder}</source>
        <translation>Scanner folder: {folder}</translation>
    </message>
    <message>
        <source>Skenera mape nav izvēlēta: spiediet “Mainīt mapi…”.</source>
        <translation>No scanner folder chosen: press “Change folder…”.</translation>
    </message>
    <message>
        <source>Nav mapes, no kuras nolasīt: birojs iestatījumos nav norādījis skenera mapi, un USB zibatmiņa nav pievienota.</source>
        <translation>There is no folder to read from: the office has not set the scanner folder in Settings, and no USB stick is plugged in.</translation>
    </message>
    <message>
        <source>Skenējumi (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)</source>
        <translation>Scans (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)</translation>
    </message>
    <message>
        <source>Skenētie biļeteni</source>
        <translation>Scanned ballots</translation>
    </message>
    <message>
        <source>Mape ar skenētiem biļeteniem</source>
        <translation>Folder with scanned ballots</translation>
    </message>
    <message>
        <source>Skenera mape {folder} nav pieejama. Pārbaudiet, vai tā eksistē.</source>
        <translation>The scanner folder {folder} is not available. Check that it exists.</translation>
    </message>
    <message>
        <source>Nolasīti {done} no {total}</source>
        <translation>Read {done} of {total}</translation>
    </message>
    <message>
        <source>Nolasīšana pabeigta. Ieskaitīti {c}, jāpārbauda {r}, noraidīti {x}, dublikāti {d}.</source>
        <translation>Reading finished. Counted {c}, needs review {r}, rejected {x}, duplicates {d}.</translation>
    </message>
    <message>
        <source>, lapa {n}</source>
        <translation>, page {n}</translation>
    </message>
    <message>
        <source>Jau nolasīts agrāk, netiek skaitīts vēlreiz</source>
        <translation>Read before, not counted again</translation>
    </message>
    <message>
        <source>Pārbaudē noraidīts: {reason}</source>
        <translation>Rejected in review: {reason}</translation>
    </message>
    <message>
        <source>Pārbaudē apstiprināts</source>
        <translation>Confirmed in review</translation>
    </message>
    <message>
        <source>Pārbaudē labots</source>
        <translation>Corrected in review</translation>
    </message>
    <message>
        <source>Atkal jāpārbauda</source>
        <translation>To review again</translation>
    </message>
    <message>
        <source>Šī numura biļetens jau nolasīts: {sheet}</source>
        <translation>A ballot with this number was read already: {sheet}</translation>
    </message>
    <message>
        <source>Notīrīt sarakstu?</source>
        <translation>Clear the list?</translation>
    </message>
    <message>
        <source>Tiks notīrīts tikai saraksts šajā ekrānā. Nolasītie biļeteni paliek saglabāti kioskā un tiks eksportēti kā parasti.</source>
        <translation>Only the list on this screen is cleared. The ballots read stay stored in the kiosk and are exported as usual.</translation>
    </message>
    <message>
        <source>Atcelt</source>
        <translation>Cancel</translation>
    </message>
    <message numerus="yes">
        <source>Saraksts notīrīts (%n rindas). Nolasītie biļeteni paliek saglabāti.</source>
        <translation>
            <numerusform>List cleared (%n row). The ballots read stay stored.</numerusform>
            <numerusform>List cleared (%n rows). The ballots read stay stored.</numerusform>
        </translation>
    </message>
    <message>
        <source>Šai rindai attēla nav</source>
        <translation>No image for this row</translation>
    </message>
</context>
<context>
    <name>KioskFileDialog</name>
    <message>
        <source>Meklēt:</source>
        <translation>Look in:</translation>
    </message>
    <message>
        <source>Mape:</source>
        <translation>Folder:</translation>
    </message>
    <message>
        <source>Faili:</source>
        <translation>Files:</translation>
    </message>
    <message>
        <source>Failu veids:</source>
        <translation>File type:</translation>
    </message>
    <message>
        <source>Izvēlēties</source>
        <translation>Choose</translation>
    </message>
    <message>
        <source>Atcelt</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Urnas kiosks</source>
        <translation>Urn kiosk</translation>
    </message>
    <message>
        <source>Iziet no profila</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Aizvērt kiosku</source>
        <translation>Close the kiosk</translation>
    </message>
    <message>
        <source>Drukāt</source>
        <translation>Print</translation>
    </message>
    <message>
        <source>Skenēt</source>
        <translation>Scan</translation>
    </message>
    <message>
        <source>Pārbaudīt</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>Eksportēt</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Iestatījumi</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Nākamais ekrāns: Ctrl+Tab, iepriekšējais: Ctrl+Shift+Tab</source>
        <translation>Next screen: Ctrl+Tab, previous: Ctrl+Shift+Tab</translation>
    </message>
    <message>
        <source>Aizver kioska programmu (pēc apstiprinājuma)</source>
        <translation>Closes the kiosk program (after a confirmation)</translation>
    </message>
    <message>
        <source>Neviens nav pierakstījies</source>
        <translation>Nobody signed in</translation>
    </message>
    <message>
        <source>Reģistratūra</source>
        <translation>Front desk</translation>
    </message>
    <message>
        <source>Palīgs</source>
        <translation>Helper</translation>
    </message>
    <message>
        <source>Birojs</source>
        <translation>Office</translation>
    </message>
    <message>
        <source>Kiosks netiek lietots: pēc {s} s notiks automātiska iziešana no profila. Pieskarieties ekrānam vai nospiediet jebkuru taustiņu, lai turpinātu darbu.</source>
        <translation>The kiosk is not being used: in {s} s you will be signed out. Touch the screen or press any key to carry on.</translation>
    </message>
    <message numerus="yes">
        <source>Jūs izrakstījāties automātiski, jo kiosks netika lietots %n minūtes.</source>
        <translation>
            <numerusform>You were signed out because the kiosk was not used for %n minute.</numerusform>
            <numerusform>You were signed out because the kiosk was not used for %n minutes.</numerusform>
        </translation>
    </message>
    <message>
        <source>Aizvērt kiosku?</source>
        <translation>Close the kiosk?</translation>
    </message>
    <message>
        <source>Kioska programma tiks aizvērta: šajā datorā vairs nevarēs drukāt, skenēt un pārbaudīt biļetenus, līdz to atkal palaiž. Saglabātie dati paliek.</source>
        <translation>The kiosk program will close: nobody can print, scan or review ballots on this computer until it is started again. The stored data stay.</translation>
    </message>
    <message>
        <source>Atcelt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Palīdzība: izvēlieties darbu augšējā rindā. Kļūdas un ziņas parādās šeit.</source>
        <translation>Help: choose a task in the row at the top. Errors and news appear here.</translation>
    </message>
</context>
<context>
    <name>OutlineLegend</name>
    <message>
        <source>izvēlētā atbilde</source>
        <translation>answer in focus</translation>
    </message>
    <message>
        <source>atzīme</source>
        <translation>mark</translation>
    </message>
    <message>
        <source>vāja atzīme</source>
        <translation>faint mark</translation>
    </message>
    <message>
        <source>neskaidrs</source>
        <translation>unclear</translation>
    </message>
    <message>
        <source>tukša rūtiņa</source>
        <translation>empty box</translation>
    </message>
    <message>
        <source>Procenti: cik rūtiņas aizpilda tinte. Klikšķis uz attēla to palielina.</source>
        <translation>Percentages: how much of a box the ink fills. A click on the picture zooms in.</translation>
    </message>
</context>
<context>
    <name>PrintScreen</name>
    <message>
        <source>Drukāt vienu biļetenu</source>
        <translation>Print one ballot</translation>
    </message>
    <message>
        <source>Šodien izsniegti biļeteni:</source>
        <translation>Ballots issued today:</translation>
    </message>
    <message>
        <source>Kur drukāt</source>
        <translation>Where to print</translation>
    </message>
    <message>
        <source>Printera dialogs…</source>
        <translation>Printer dialog…</translation>
    </message>
    <message>
        <source>PDF mape…</source>
        <translation>PDF folder…</translation>
    </message>
    <message>
        <source>Dzēst PDF failu</source>
        <translation>Delete the PDF file</translation>
    </message>
    <message>
        <source>Vairāki biļeteni uzreiz</source>
        <translation>Several ballots at once</translation>
    </message>
    <message>
        <source> gab.</source>
        <translation> pcs</translation>
    </message>
    <message>
        <source>Atcelt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Biļetena paraugs</source>
        <translation>Ballot specimen</translation>
    </message>
    <message>
        <source>Paraugs tiek sagatavots…</source>
        <translation>Preparing the specimen…</translation>
    </message>
    <message>
        <source>Uzmanību: šodien nav balsošanas laiks (balsošana: {start}–{end}). Drukājiet biļetenus tikai tad, ja tas ir norunāts ar biroju.</source>
        <translation>Note: today is outside the voting period (voting: {start}–{end}). Print ballots only if the office has agreed.</translation>
    </message>
    <message>
        <source>PDF fails (bez printera)</source>
        <translation>PDF file (no printer)</translation>
    </message>
    <message>
        <source>Printeris: {name}</source>
        <translation>Printer: {name}</translation>
    </message>
    <message>
        <source>Printeris: {name} (nav pieejams)</source>
        <translation>Printer: {name} (not available)</translation>
    </message>
    <message>
        <source>Drukas serveris pēc drukāšanas glabā darbu kopijas (CUPS “PreserveJobFiles”). Kiosks savējās izdzēš uzreiz pēc katra darba; tomēr iestatiet “PreserveJobFiles No” (skat. README).</source>
        <translation>The print server keeps copies of printed jobs (CUPS “PreserveJobFiles”). The kiosk deletes its own right after each job; still, set “PreserveJobFiles No” (see README).</translation>
    </message>
    <message>
        <source>Biļeteni tiek drukāti printerī “{name}”.</source>
        <translation>Ballots are printed on “{name}”.</translation>
    </message>
    <message>
        <source>Kad tas izdrukāts, izdzēsiet failu (“Dzēst PDF failu”).</source>
        <translation>Once it is printed, delete the file (“Delete the PDF file”).</translation>
    </message>
    <message>
        <source>Pa diviem uz A4 lapas: sagrieziet lapas pa svītrlīniju.</source>
        <translation>Two to an A4 sheet: cut the sheets along the dashed line.</translation>
    </message>
    <message>
        <source>PDF failu nevar izdzēst: {error}</source>
        <translation>The PDF file cannot be deleted: {error}</translation>
    </message>
    <message>
        <source>PDF fails izdzēsts: {path}</source>
        <translation>PDF file deleted: {path}</translation>
    </message>
    <message>
        <source>Printeris “{name}” šobrīd nav pieejams. Pārbaudiet, vai tas ir ieslēgts, vai izvēlieties “PDF fails” un drukājiet PDF failu vēlāk.</source>
        <translation>The printer “{name}” is not available now. Check that it is switched on, or choose “PDF file” and print the PDF later.</translation>
    </message>
    <message numerus="yes">
        <source>Drukāt %n biļetenus</source>
        <translation>
            <numerusform>Print %n ballot</numerusform>
            <numerusform>Print %n ballots</numerusform>
        </translation>
    </message>
    <message>
        <source>Vienā reizē var drukāt ne vairāk kā {max} biļetenus: samaziniet skaitu.</source>
        <translation>At most {max} ballots can be printed at once: lower the number.</translation>
    </message>
    <message>
        <source>Printeris nav pievienots. Biļeteni tiek saglabāti PDF failā mapē:
{folder}</source>
        <translation>No printer is connected. Ballots are saved as PDF files in:
{folder}</translation>
    </message>
    <message>
        <source>Printeris nav izvēlēts. Biļeteni tiek saglabāti PDF failā mapē:
{folder}</source>
        <translation>No printer chosen. Ballots are saved as PDF files in:
{folder}</translation>
    </message>
    <message>
        <source>Pārbauda printera stāvokli…</source>
        <translation>Checking the printer…</translation>
    </message>
    <message>
        <source>Printeris “{name}” ir apturēts: {reason}. Kamēr tas nav atkal ieslēgts, biļeteni netiek izsniegti.</source>
        <translation>Printer “{name}” is stopped: {reason}. No ballots are issued until it is switched on again.</translation>
    </message>
    <message>
        <source>Printeris “{name}” nepieņem drukas darbus: {reason}.</source>
        <translation>Printer “{name}” does not accept print jobs: {reason}.</translation>
    </message>
    <message>
        <source>Printeris “{name}” nav atrasts.</source>
        <translation>Printer “{name}” was not found.</translation>
    </message>
    <message>
        <source>Printeris drukā.</source>
        <translation>The printer is printing.</translation>
    </message>
    <message>
        <source>Printeris ir gatavs.</source>
        <translation>The printer is ready.</translation>
    </message>
    <message>
        <source>Mape PDF failiem</source>
        <translation>Folder for PDF files</translation>
    </message>
    <message>
        <source>Sūta printerim…</source>
        <translation>Sending to the printer…</translation>
    </message>
    <message>
        <source>Gaida printeri…</source>
        <translation>Waiting for the printer…</translation>
    </message>
    <message numerus="yes">
        <source>Tiks izdrukāti %n biļeteni: tas ir daudz. Pārbaudiet, vai printerī pietiek papīra.</source>
        <translation>
            <numerusform>%n ballot will be printed. Check that the printer has enough paper.</numerusform>
            <numerusform>%n ballots will be printed: that is a lot. Check that the printer has enough paper.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Drukāt %n biļetenus?</source>
        <translation>
            <numerusform>Print %n ballot?</numerusform>
            <numerusform>Print %n ballots?</numerusform>
        </translation>
    </message>
    <message>
        <source>printerī “{name}”</source>
        <translation>on “{name}”</translation>
    </message>
    <message>
        <source>failā {path}</source>
        <translation>to {path}</translation>
    </message>
    <message>
        <source>Biļetens izdrukāts {where}.</source>
        <translation>Ballot printed {where}.</translation>
    </message>
    <message>
        <source>Biļeteni izdrukāti: {n}, {where}.</source>
        <translation>Ballots printed: {n}, {where}.</translation>
    </message>
</context>
<context>
    <name>RejectDialog</name>
    <message>
        <source>Noraidīt šo biļetenu?</source>
        <translation>Reject this ballot?</translation>
    </message>
    <message>
        <source>Noraidīts biļetens netiek ieskaitīts. Izvēlieties iemeslu:</source>
        <translation>A rejected ballot does not count. Choose the reason:</translation>
    </message>
    <message>
        <source>Noraidīt (Enter)</source>
        <translation>Reject (Enter)</translation>
    </message>
    <message>
        <source>Atcelt (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <source>Importēt tiešsaistes balsis…</source>
        <translation>Import online votes…</translation>
    </message>
    <message>
        <source>Publicēt rezultātus…</source>
        <translation>Publish results…</translation>
    </message>
    <message>
        <source>Speciālisti</source>
        <translation>Specialists</translation>
    </message>
    <message>
        <source>Iestādes</source>
        <translation>Institutions</translation>
    </message>
    <message>
        <source>Vieta</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Speciālists</source>
        <translation>Specialist</translation>
    </message>
    <message>
        <source>Iestāde</source>
        <translation>Institution</translation>
    </message>
    <message>
        <source>Papīra</source>
        <translation>Paper</translation>
    </message>
    <message>
        <source>Tiešsaistē</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Kopā</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Rezultāts</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Pozitīvi</source>
        <translation>Positive</translation>
    </message>
    <message>
        <source>Vidējais</source>
        <translation>Mean</translation>
    </message>
    <message>
        <source>Biļeteni</source>
        <translation>Ballots</translation>
    </message>
    <message>
        <source>Tiešsaistes balsis vēl nav importētas.</source>
        <translation>No online votes imported yet.</translation>
    </message>
    <message>
        <source>Tiešsaistes balsis: {0} ({1}, importētas {2} UTC)</source>
        <translation>Online votes: {0} ({1}, imported {2} UTC)</translation>
    </message>
    <message>
        <source>Vēl nav ko skaitīt: importējiet partiju failus.</source>
        <translation>Nothing to count yet: import batch files.</translation>
    </message>
    <message>
        <source>Ieskaitīti biļeteni: {0} · partijas: {1} · izslēgtas: {2} · neizlemtas pretrunas: {3}</source>
        <translation>Ballots counted: {0} · batches: {1} · excluded: {2} · undecided conflicts: {3}</translation>
    </message>
    <message>
        <source>PUBLICĒTS {0} UTC ({1}): {2}</source>
        <translation>PUBLISHED {0} UTC ({1}): {2}</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <source>Izlaist (N)</source>
        <translation>Skip (N)</translation>
    </message>
    <message>
        <source>Kā nolasīts (Esc)</source>
        <translation>As read (Esc)</translation>
    </message>
    <message>
        <source>Noraidīt… (R)</source>
        <translation>Reject… (R)</translation>
    </message>
    <message>
        <source>Atsaukt (Ctrl+Z)</source>
        <translation>Undo (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Atsauc jūsu pēdējo lēmumu: biļetens atkal gaida pārbaudi.</source>
        <translation>Takes back your last decision: the ballot waits for review again.</translation>
    </message>
    <message>
        <source>Atsaukt pēdējo lēmumu (Ctrl+Z)</source>
        <translation>Undo the last decision (Ctrl+Z)</translation>
    </message>
    <message>
        <source>↑ ↓ jautājums · ← → vai cipars atbilde · atstarpe atzīmē vai notīra · Enter apstiprina · R noraida · N izlaiž · Z palielina · Ctrl+Z atsauc</source>
        <translation>↑ ↓ question · ← → or a digit answer · Space marks or clears · Enter confirms · R rejects · N skips · Z zooms · Ctrl+Z undoes</translation>
    </message>
    <message>
        <source>✓ Nav neviena biļetena, kas jāpārbauda.</source>
        <translation>✓ No ballots need review.</translation>
    </message>
    <message>
        <source>Attēls tiek ielādēts…</source>
        <translation>Loading the image…</translation>
    </message>
    <message>
        <source>Atzīmējiet, kas biļetenā redzams</source>
        <translation>Mark what the ballot shows</translation>
    </message>
    <message>
        <source>Attālināt (Z)</source>
        <translation>Zoom out (Z)</translation>
    </message>
    <message>
        <source>Palielināt (Z)</source>
        <translation>Zoom in (Z)</translation>
    </message>
    <message>
        <source>Jāpārbauda: {n}</source>
        <translation>Needs review: {n}</translation>
    </message>
    <message>
        <source>Birojs atvēra šo biļetenu pārbaudei no jauna.</source>
        <translation>The office reopened this ballot for review.</translation>
    </message>
    <message>
        <source>Iepriekšējais lēmums atsaukts.</source>
        <translation>The earlier decision was undone.</translation>
    </message>
    <message>
        <source>Iemesls nav norādīts.</source>
        <translation>No reason given.</translation>
    </message>
    <message>
        <source>Nolasīts automātiski: {marks}</source>
        <translation>Read automatically: {marks}</translation>
    </message>
    <message>
        <source>Saglabāts kā tukšs biļetens: nevienam netiek pieskaitīta balss.</source>
        <translation>Saved as a blank ballot: nobody gets a vote from it.</translation>
    </message>
    <message>
        <source>Saglabāts: biļetens ieskaitīts, kā nolasīts.</source>
        <translation>Saved: the ballot counts as read.</translation>
    </message>
    <message>
        <source>Atsaukt: Ctrl+Z.</source>
        <translation>Undo: Ctrl+Z.</translation>
    </message>
    <message>
        <source>Saglabāts: biļetens noraidīts ({reason}). Atsaukt: Ctrl+Z.</source>
        <translation>Saved: the ballot is rejected ({reason}). Undo: Ctrl+Z.</translation>
    </message>
    <message>
        <source>Šis ir vienīgais biļetens, kas jāpārbauda: izlaist nav uz kuru.</source>
        <translation>This is the only ballot to review: there is none to skip to.</translation>
    </message>
    <message>
        <source>Lēmums atsaukts: biļetens atkal gaida pārbaudi.</source>
        <translation>Decision undone: the ballot waits for review again.</translation>
    </message>
    <message>
        <source>Attēlu nevar ielādēt</source>
        <translation>The image cannot be loaded</translation>
    </message>
    <message>
        <source>Nr. {serial}</source>
        <translation>No. {serial}</translation>
    </message>
    <message>
        <source>Biļetena numurs, kā tas drukāts zem QR koda</source>
        <translation>The ballot&apos;s number as printed under the QR code</translation>
    </message>
    <message>
        <source>Atjaunots automātiskais nolasījums. Jautājumā “{question}” bija atzīmētas vairākas atbildes, tāpēc tur nekas nav izvēlēts: izvēlieties atbildi vai noraidiet biļetenu.</source>
        <translation>The automatic reading is back. Question “{question}” had several answers marked, so nothing is chosen there: choose an answer or reject the ballot.</translation>
    </message>
    <message>
        <source>Atjaunots automātiskais nolasījums.</source>
        <translation>The automatic reading is back.</translation>
    </message>
    <message>
        <source>Saglabāt labojumu (Enter)</source>
        <translation>Save the correction (Enter)</translation>
    </message>
    <message>
        <source>Apstiprināt: tukšs biļetens (Enter)</source>
        <translation>Confirm: a blank ballot (Enter)</translation>
    </message>
    <message>
        <source>Apstiprināt (Enter)</source>
        <translation>Confirm (Enter)</translation>
    </message>
    <message>
        <source>Saglabāts: biļetens ieskaitīts ar jūsu labojumu.</source>
        <translation>Saved: the ballot counts with your correction.</translation>
    </message>
</context>
<context>
    <name>RosterPicker</name>
    <message>
        <source>Ierakstiet numuru vai dažus vārda burtus (garumzīmes nav vajadzīgas)</source>
        <translation>Type the number or a few letters of the name (no need for diacritics)</translation>
    </message>
    <message>
        <source>Ierakstiet dažus vārda vai uzvārda burtus (garumzīmes nav vajadzīgas)</source>
        <translation>Type a few letters of the first name or surname (no need for diacritics)</translation>
    </message>
    <message>
        <source>Vārds bez garumzīmēm, piem. kalnins</source>
        <translation>A name without diacritics, e.g. kalnins</translation>
    </message>
    <message>
        <source>Nederīgs</source>
        <translation>Invalid</translation>
    </message>
    <message>
        <source>Neviens speciālists: šis jautājums netiek ieskaitīts</source>
        <translation>No specialist: this question is not counted</translation>
    </message>
    <message>
        <source>Izvēlēts: {name}</source>
        <translation>Chosen: {name}</translation>
    </message>
    <message>
        <source>Izvēlēts: neviens (jautājums netiek ieskaitīts)</source>
        <translation>Chosen: nobody (the question is not counted)</translation>
    </message>
</context>
<context>
    <name>SerialEntry</name>
    <message>
        <source>Ierakstiet numuru zem QR koda: XXXX-XXXX-XXXXX-XXXX</source>
        <translation>Type the number under the QR code: XXXX-XXXX-XXXXX-XXXX</translation>
    </message>
    <message>
        <source>Vēl jāieraksta: {left}</source>
        <translation>Still to type: {left}</translation>
    </message>
    <message>
        <source>✓ Numurs der: tas ir šīs iestādes biļetens</source>
        <translation>✓ The number is valid: this is a ballot of this institution</translation>
    </message>
    <message>
        <source>✗ Neder: pārbaudiet katru zīmi</source>
        <translation>✗ Not valid: check every character</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <source>Kampaņa un iestāde</source>
        <translation>Campaign and institution</translation>
    </message>
    <message>
        <source>Atzīmju sliekšņi</source>
        <translation>Mark thresholds</translation>
    </message>
    <message>
        <source>Procenti no rūtiņas iekšpuses (vai no drukātās tintes tumšuma). Atzīme zem atzīmes sliekšņa, bet virs neskaidrās atzīmes sliekšņa, sūta biļetenu pārbaudē. Mainiet tikai, ja pārbaudē nonāk pārāk daudz biļetenu; izmaiņas attiecas uz turpmāk nolasītajiem biļeteniem.</source>
        <translation>Per cent of a box&apos;s inside (or of the printed ink&apos;s darkness). A mark below the mark threshold but above the unclear-mark threshold sends the ballot to review. Change these only if too many ballots go to review; changes apply to ballots read from now on.</translation>
    </message>
    <message>
        <source>Saglabāt sliekšņus</source>
        <translation>Save thresholds</translation>
    </message>
    <message>
        <source>Atjaunot noklusējumus</source>
        <translation>Restore defaults</translation>
    </message>
    <message>
        <source>Rādīt visus sliekšņus</source>
        <translation>Show all thresholds</translation>
    </message>
    <message>
        <source>Mapes un printeris</source>
        <translation>Folders and printer</translation>
    </message>
    <message>
        <source>Saglabāt mapes un printeri</source>
        <translation>Save folders and printer</translation>
    </message>
    <message>
        <source>Valoda un dīkstāve</source>
        <translation>Language and idle time</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Saglabāt</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Lietotāji un PIN kodi</source>
        <translation>Users and PINs</translation>
    </message>
    <message>
        <source>Vārds</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Loma</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Statuss</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Izvēlētajam lietotājam:</source>
        <translation>For the selected user:</translation>
    </message>
    <message>
        <source>Mainīt PIN</source>
        <translation>Change PIN</translation>
    </message>
    <message>
        <source>Jauns lietotājs:</source>
        <translation>New user:</translation>
    </message>
    <message>
        <source>vārds</source>
        <translation>name</translation>
    </message>
    <message>
        <source>jauns PIN (tikai cipari)</source>
        <translation>new PIN (digits only)</translation>
    </message>
    <message>
        <source>Kampaņu un iestādi šeit mainīt nevar: tās kioskam iestata, to uzstādot. Ja kiosks jāpārceļ uz citu iestādi, sazinieties ar centrālo biroju.</source>
        <translation>The campaign and the institution cannot be changed here: they are set when the kiosk is installed. If the kiosk must move to another institution, contact the central office.</translation>
    </message>
    <message>
        <source>PIN (tikai cipari)</source>
        <translation>PIN (digits only)</translation>
    </message>
    <message>
        <source>Pievienot lietotāju</source>
        <translation>Add user</translation>
    </message>
    <message>
        <source>Pierakstīšanās: PIN garums un bloķēšana</source>
        <translation>Sign-in: PIN length and locks</translation>
    </message>
    <message>
        <source>PIN vismaz (cipari)</source>
        <translation>PIN at least (digits)</translation>
    </message>
    <message>
        <source>Bloķēšana</source>
        <translation>Lock</translation>
    </message>
    <message>
        <source>Atbloķēt</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>Garums attiecas uz PIN kodiem, ko piešķir vai maina no šī brīža; īsāki esošie PIN kodi darbojas, bet lietotāju sarakstā ir atzīmēti nomainīšanai. Trīs nepareizi PIN kodi bloķē tikai savu lomu: uz 30 s, katru nākamo reizi divreiz ilgāk (līdz 15 min).</source>
        <translation>The length applies to PINs given or changed from now on; shorter existing PINs keep working but are marked for a change in the list of users. Three wrong PINs lock only their own role: for 30 s, each further time twice as long (up to 15 min).</translation>
    </message>
    <message>
        <source>Saglabāt PIN garumus</source>
        <translation>Save PIN lengths</translation>
    </message>
    <message>
        <source>Atzīme: aizpildīta rūtiņa no</source>
        <translation>Mark: a filled box from</translation>
    </message>
    <message>
        <source>Atzīme: krustiņš vai ķeksītis no</source>
        <translation>Mark: a cross or tick from</translation>
    </message>
    <message>
        <source>… kas aizņem rūtiņas platumu un augstumu no</source>
        <translation>… spanning the box&apos;s width and height from</translation>
    </message>
    <message>
        <source>Atzīmes līniju tumšums no</source>
        <translation>Darkness of a mark&apos;s strokes from</translation>
    </message>
    <message>
        <source>Neskaidra atzīme (uz pārbaudi) no</source>
        <translation>Unclear mark (to review) from</translation>
    </message>
    <message>
        <source>Tinte: tumšums no</source>
        <translation>Ink: darkness from</translation>
    </message>
    <message>
        <source>Pārklājums: tumšums no</source>
        <translation>Cover: darkness from</translation>
    </message>
    <message>
        <source>Tukšas rūtiņas fons līdz</source>
        <translation>Empty box background up to</translation>
    </message>
    <message>
        <source>Rūtiņas kontūra atrasta no</source>
        <translation>Box outline found from</translation>
    </message>
    <message>
        <source>Tukša lapa: tintes līdz</source>
        <translation>Blank page: ink up to</translation>
    </message>
    <message>
        <source>Skenera mape:</source>
        <translation>Scanner folder:</translation>
    </message>
    <message>
        <source>Printeris:</source>
        <translation>Printer:</translation>
    </message>
    <message>
        <source>PDF mape (bez printera):</source>
        <translation>PDF folder (no printer):</translation>
    </message>
    <message>
        <source>Partiju mape:</source>
        <translation>Batch folder:</translation>
    </message>
    <message>
        <source>Valoda (arī pēc restartēšanas):</source>
        <translation>Language (also after a restart):</translation>
    </message>
    <message>
        <source>Kioska numurs: {id}</source>
        <translation>Kiosk number: {id}</translation>
    </message>
    <message>
        <source>Dati glabājas mapē: {folder}</source>
        <translation>Data are kept in the folder: {folder}</translation>
    </message>
    <message>
        <source>Izrakstīt pēc dīkstāves:</source>
        <translation>Sign out when idle for:</translation>
    </message>
    <message>
        <source>pārbauda cilvēks</source>
        <translation>a person reviews</translation>
    </message>
    <message>
        <source>ieskaita kā nodotu</source>
        <translation>counted as cast</translation>
    </message>
    <message>
        <source>Pārbaudes kārtība (kampaņas fails)</source>
        <translation>Review policy (campaign file)</translation>
    </message>
    <message>
        <source>Reģistratūra</source>
        <translation>Front desk</translation>
    </message>
    <message>
        <source>Palīgs</source>
        <translation>Helper</translation>
    </message>
    <message>
        <source>Birojs</source>
        <translation>Office</translation>
    </message>
    <message>
        <source>Balsošana: {start}–{end}</source>
        <translation>Voting: {start}–{end}</translation>
    </message>
    <message>
        <source>nav izvēlēta</source>
        <translation>not chosen</translation>
    </message>
    <message>
        <source>Nav (saglabāt PDF failā)</source>
        <translation>None (save as PDF)</translation>
    </message>
    <message>
        <source>{name} (nav pieejams)</source>
        <translation>{name} (not available)</translation>
    </message>
    <message>
        <source>bloķēta vēl {s} s</source>
        <translation>locked for {s} s more</translation>
    </message>
    <message>
        <source>nav bloķēta: {left}</source>
        <translation>not locked: {left}</translation>
    </message>
    <message>
        <source>nav bloķēta (nākamā bloķēšana būs ilgāka)</source>
        <translation>not locked (the next lock will be longer)</translation>
    </message>
    <message>
        <source>nav bloķēta</source>
        <translation>not locked</translation>
    </message>
    <message>
        <source>demonstrācijas PIN — nomainiet!</source>
        <translation>demo PIN — change it!</translation>
    </message>
    <message>
        <source>īsāks, nekā prasa politika — nomainiet!</source>
        <translation>shorter than the policy asks — change it!</translation>
    </message>
    <message>
        <source>nomainīts</source>
        <translation>changed</translation>
    </message>
    <message>
        <source>aktīvs</source>
        <translation>active</translation>
    </message>
    <message>
        <source>atslēgts</source>
        <translation>deactivated</translation>
    </message>
    <message>
        <source>Atslēgt</source>
        <translation>Deactivate</translation>
    </message>
    <message>
        <source>Ieslēgt</source>
        <translation>Activate</translation>
    </message>
    <message>
        <source>Atzīmju sliekšņi saglabāti.</source>
        <translation>Mark thresholds saved.</translation>
    </message>
    <message>
        <source>Mapes un printeris saglabāti.</source>
        <translation>Folders and printer saved.</translation>
    </message>
    <message>
        <source>Iestatījumi saglabāti.</source>
        <translation>Settings saved.</translation>
    </message>
    <message>
        <source>PIN garumi saglabāti.</source>
        <translation>PIN lengths saved.</translation>
    </message>
    <message>
        <source>Lomas “{role}” pierakstīšanās atbloķēta.</source>
        <translation>Sign-in for the role “{role}” unlocked.</translation>
    </message>
    <message>
        <source>Izvēlieties mapi</source>
        <translation>Choose a folder</translation>
    </message>
    <message>
        <source>Lietotājs “{name}” pievienots.</source>
        <translation>User “{name}” added.</translation>
    </message>
    <message>
        <source>Lietotāja “{name}” PIN kods nomainīts.</source>
        <translation>The PIN of “{name}” has been changed.</translation>
    </message>
    <message>
        <source>Lietotājs “{name}” ieslēgts.</source>
        <translation>User “{name}” activated.</translation>
    </message>
    <message>
        <source>Lietotājs “{name}” atslēgts.</source>
        <translation>User “{name}” deactivated.</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>Kampaņa un atslēgas</source>
        <translation>Campaign and keys</translation>
    </message>
    <message>
        <source>Kampaņas fails</source>
        <translation>Campaign file</translation>
    </message>
    <message>
        <source>Galvenā atslēga</source>
        <translation>Master key</translation>
    </message>
    <message>
        <source>Uzticamās atslēgas (1. versijas partijām)</source>
        <translation>Trusted keys (for version 1 batches)</translation>
    </message>
    <message>
        <source>Kampaņa norādīta.</source>
        <translation>The campaign is set.</translation>
    </message>
    <message>
        <source>Kampaņa vēl nav norādīta.</source>
        <translation>No campaign set yet.</translation>
    </message>
    <message>
        <source>Galvenā atslēga saglabāta.</source>
        <translation>The master key is stored.</translation>
    </message>
    <message>
        <source>Galvenā atslēga nav saglabāta (demonstrācijas kampaņai der tās atslēga).</source>
        <translation>No master key stored (a demo campaign&apos;s own key serves).</translation>
    </message>
    <message>
        <source>Atsauktie kioski: pa vienam rindā, aiz tā datums (GGGG-MM-DD), no kura tā partijas neskaita; bez datuma neskaita nevienu tā partiju.</source>
        <translation>Revoked kiosks: one per line, followed by the date (YYYY-MM-DD) from which its batches do not count; without a date none of its batches counts.</translation>
    </message>
    <message>
        <source>Izvēlēties…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Kampaņas faili (*.toml)</source>
        <translation>Campaign files (*.toml)</translation>
    </message>
    <message>
        <source>Uzticamās atslēgas</source>
        <translation>Trusted keys</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <source>1. Izvēlieties savu lomu</source>
        <translation>1. Choose your role</translation>
    </message>
    <message>
        <source>2. Ievadiet PIN kodu un spiediet OK</source>
        <translation>2. Enter your PIN and press OK</translation>
    </message>
    <message>
        <source>Reģistratūra</source>
        <translation>Front desk</translation>
    </message>
    <message>
        <source>biļetenu drukāšana</source>
        <translation>printing ballots</translation>
    </message>
    <message>
        <source>Palīgs</source>
        <translation>Helper</translation>
    </message>
    <message>
        <source>urnas biļetenu skenēšana un pārbaude</source>
        <translation>scanning and reviewing the urn&apos;s ballots</translation>
    </message>
    <message>
        <source>Birojs</source>
        <translation>Office</translation>
    </message>
    <message>
        <source>eksports, iestatījumi, lietotāji, iziešana</source>
        <translation>export, settings, users, closing the kiosk</translation>
    </message>
    <message>
        <source>PIN kods</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>reģistratūra</source>
        <translation>front desk</translation>
    </message>
    <message>
        <source>palīgs</source>
        <translation>helper</translation>
    </message>
    <message>
        <source>birojs</source>
        <translation>office</translation>
    </message>
    <message>
        <source>Demonstrācijas PIN kodi: {pins}. Birojs tos nomaina sadaļā Iestatījumi → Lietotāji.</source>
        <translation>Demo PINs: {pins}. The office changes them under Settings → Users.</translation>
    </message>
    <message>
        <source>Vispirms izvēlieties lomu.</source>
        <translation>Choose a role first.</translation>
    </message>
    <message>
        <source>Lomas pierakstīšanās bloķēta. Mēģiniet vēlreiz pēc {s} s.</source>
        <translation>Sign-in for this role is locked. Try again in {s} s.</translation>
    </message>
    <message>
        <source>Lomai {left}.</source>
        <translation>{left} for this role.</translation>
    </message>
</context>
</TS>
