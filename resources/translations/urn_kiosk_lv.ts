<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="lv" sourcelanguage="lv">
<context>
    <name>IntakeScreen</name>
    <message numerus="yes">
        <source>Saraksts notīrīts (%n rindas). Nolasītie biļeteni paliek saglabāti.</source>
        <translation>
            <numerusform>Saraksts notīrīts (%n rinda). Nolasītie biļeteni paliek saglabāti.</numerusform>
            <numerusform>Saraksts notīrīts (%n rindas). Nolasītie biļeteni paliek saglabāti.</numerusform>
            <numerusform>Saraksts notīrīts (%n rindas). Nolasītie biļeteni paliek saglabāti.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Jūs izrakstījāties automātiski, jo kiosks netika lietots %n minūtes.</source>
        <translation>
            <numerusform>Jūs izrakstījāties automātiski, jo kiosks netika lietots %n minūti.</numerusform>
            <numerusform>Jūs izrakstījāties automātiski, jo kiosks netika lietots %n minūtes.</numerusform>
            <numerusform>Jūs izrakstījāties automātiski, jo kiosks netika lietots %n minūtes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrintScreen</name>
    <message numerus="yes">
        <source>Drukāt %n biļetenus</source>
        <translation>
            <numerusform>Drukāt %n biļetenu</numerusform>
            <numerusform>Drukāt %n biļetenus</numerusform>
            <numerusform>Drukāt %n biļetenus</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tiks izdrukāti %n biļeteni: tas ir daudz. Pārbaudiet, vai printerī pietiek papīra.</source>
        <translation>
            <numerusform>Tiks izdrukāts %n biļetens: tas ir daudz. Pārbaudiet, vai printerī pietiek papīra.</numerusform>
            <numerusform>Tiks izdrukāti %n biļeteni: tas ir daudz. Pārbaudiet, vai printerī pietiek papīra.</numerusform>
            <numerusform>Tiks izdrukāti %n biļeteni: tas ir daudz. Pārbaudiet, vai printerī pietiek papīra.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Drukāt %n biļetenus?</source>
        <translation>
            <numerusform>Drukāt %n biļetenu?</numerusform>
            <numerusform>Drukāt %n biļetenus?</numerusform>
            <numerusform>Drukāt %n biļetenus?</numerusform>
        </translation>
    </message>
</context>
</TS>
