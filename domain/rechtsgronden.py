"""The legal basis of each kind of recorded fact, as the audit trail shows it (digest 4.2: `rechtsgrond`).

Keyed by the stored topic; a test checks that every fact has one. Where the basis is SDD's own policy
rather than the law, it says so.
"""

from __future__ import annotations

RECHTSGRONDEN: dict[str, str] = {
    "Inburgeringstraject.Gestart": "Wi 2, Wi 13-14 (regie van het college); Bi 9.1(3)-(4)",
    "Inburgeringstraject.TvsProfielOntvangen": "Bi 9.1(4) (gegevens van het COA)",
    "Inburgeringstraject.CoaWarmeOverdrachtGehouden": "Wi 14; beleid SDD (warme overdracht COA)",
    "Inburgeringstraject.InburgeringsplichtVastgesteld": "Wi 2, Bi 9.1(3) (kennisgeving DUO)",
    "Inburgeringstraject.HuisvestingGeregistreerd": "Wi 1, Wi 13(1) (gemeente van huisvesting)",
    "Inburgeringstraject.BredeIntakeOproepVerzonden": "Wi 14, Wi 22 (medewerking aan de brede intake)",
    "Inburgeringstraject.KennismakingsgesprekGevoerd": "Wi 14",
    "Inburgeringstraject.LeerbaarheidstoetsAfgenomen": "Wi 14(2)",
    "Inburgeringstraject.LeerbaarheidstoetsOntheffingVerleend": "Wi 14(6)",
    "Inburgeringstraject.BredeIntakeGehouden": "Wi 14, Wi 37(2) (bijzondere persoonsgegevens)",
    "Inburgeringstraject.BredeIntakeInAfwezigheidVoltooid": "Wi 14, Wi 22",
    "Inburgeringstraject.WelkomstprogrammaGestart": "Wi 13(3); beleid SDD (welkomstprogramma)",
    "Inburgeringstraject.PipVastgesteld": "Wi 15, Bi 5.3",
    "Inburgeringstraject.PipGewijzigd": "Wi 15, Bi 5.3",
    "Inburgeringstraject.LeerrouteGewijzigd": "Wi 15, Bi 5.4",
    "Inburgeringstraject.AfschalingNaarA2Besloten": "Bi 5.5",
    "Inburgeringstraject.CursusurenGeregistreerd": "Wi 16, Bi 5.3(5)",
    "Inburgeringstraject.VoortgangsgesprekGevoerd": "Wi 16, Bi 5.3(4)",
    "Inburgeringstraject.VoortgangsgesprekGemist": "Wi 16, Bi 5.3(4), Wi 23",
    "Inburgeringstraject.ParticipatieverklaringOndertekend": "Wi 6, Bi 3.1",
    "Inburgeringstraject.MapThemaAfgerond": "Wi 6, Bi 3.2",
    "Inburgeringstraject.MapEindgesprekGevoerd": "Wi 6, Bi 3.2",
    "Inburgeringstraject.ExamenresultaatOntvangen": "Wi 6, Bi 9.2(5) (gegevens DUO)",
    "Inburgeringstraject.DiplomaOntvangen": "Wi 6(2)",
    "Inburgeringstraject.ZRouteEindgesprekGevoerd": "Wi 6(2), Bi 3.14",
    "Inburgeringstraject.CertificaatOntvangen": "Wi 6(2), Bi 3.16",
    "Inburgeringstraject.InburgeringsplichtVoldaan": "Wi 6",
    "Inburgeringstraject.WarmeOverdrachtVervolgtrajectGehouden": "beleid SDD (warme overdracht naar vervolg)",
    "Inburgeringstraject.FinancieelOntzorgenGestart": "Participatiewet 56a",
    "Inburgeringstraject.MaatschappelijkeBegeleidingGestart": "Wi 13(3)",
    "Inburgeringstraject.TolkvoorzieningToegekend": "Wi 13; Awb 5:49",
    "Inburgeringstraject.TermijnVerlengd": "Wi 12, Bi 9.3(3)",
    "Inburgeringstraject.VrijstellingVerleend": "Wi 4",
    "Inburgeringstraject.OntheffingVerleend": "Wi 5",
    "Inburgeringstraject.DuoBoeteOpgelegd": "Wi 24-25",
    "Inburgeringstraject.OvertredingGeconstateerd": "Wi 22-23, Awb 5:48",
    "Inburgeringstraject.BoeteVoornemenVerzonden": "Awb 5:53",
    "Inburgeringstraject.ZienswijzeOntvangen": "Awb 5:53, Awb 4:8",
    "Inburgeringstraject.ZienswijzetermijnVerstreken": "Awb 5:53",
    "Inburgeringstraject.BijstandsverlagingGeregistreerd": "Wi 27, Participatiewet 18",
    "Inburgeringstraject.BoeteOpgelegd": "Wi 22-23, Bi 7.1, Awb 5:40-5:46",
    "Inburgeringstraject.BoeteAfgezien": "Awb 5:41, Awb 5:43",
    "Inburgeringstraject.BezwaarOntvangen": "Awb 6:4, 6:7-6:9",
    "Inburgeringstraject.BeslissingOpBezwaarGenomen": "Awb 7:11",
    "Inburgeringstraject.VerhuisdBinnenRegio": "Wi 1 (gemeente van huisvesting)",
    "Inburgeringstraject.VerhuisdBuitenRegio": "Wi 1; Bi 9.7 (overdracht)",
    "Inburgeringstraject.RegisseurToegewezen": "Gemeentewet 160 (mandaat); beleid SDD",
    "Inburgeringstraject.FeitGecorrigeerd": "AVG art. 16 (rectificatie)",
    "Inburgeringstraject.PersoonsgegevensVerwijderd": "Bi 9.9, AVG art. 5(1)(e)",
}


def rechtsgrond(topic: str) -> str:
    return RECHTSGRONDEN.get(topic, "onbekend")
