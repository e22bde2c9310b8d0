"""Event topics are the schema of the stored history: renaming one must fail here first."""

from eventsourcing.utils import get_topic

from domain.feitsoorten import FEITSOORTEN, TRAJECTFEITEN

GEPINDE_TOPICS = {
    "Inburgeringstraject.AfschalingNaarA2Besloten",
    "Inburgeringstraject.BeslissingOpBezwaarGenomen",
    "Inburgeringstraject.BezwaarOntvangen",
    "Inburgeringstraject.BijstandsverlagingGeregistreerd",
    "Inburgeringstraject.BoeteAfgezien",
    "Inburgeringstraject.BoeteOpgelegd",
    "Inburgeringstraject.BoeteVoornemenVerzonden",
    "Inburgeringstraject.BredeIntakeGehouden",
    "Inburgeringstraject.BredeIntakeInAfwezigheidVoltooid",
    "Inburgeringstraject.BredeIntakeOproepVerzonden",
    "Inburgeringstraject.CertificaatOntvangen",
    "Inburgeringstraject.CoaWarmeOverdrachtGehouden",
    "Inburgeringstraject.CursusurenGeregistreerd",
    "Inburgeringstraject.DiplomaOntvangen",
    "Inburgeringstraject.DuoBoeteOpgelegd",
    "Inburgeringstraject.ExamenresultaatOntvangen",
    "Inburgeringstraject.FeitGecorrigeerd",
    "Inburgeringstraject.FinancieelOntzorgenGestart",
    "Inburgeringstraject.Gestart",
    "Inburgeringstraject.HuisvestingGeregistreerd",
    "Inburgeringstraject.InburgeringsplichtVastgesteld",
    "Inburgeringstraject.InburgeringsplichtVoldaan",
    "Inburgeringstraject.KennismakingsgesprekGevoerd",
    "Inburgeringstraject.LeerbaarheidstoetsAfgenomen",
    "Inburgeringstraject.LeerbaarheidstoetsOntheffingVerleend",
    "Inburgeringstraject.LeerrouteGewijzigd",
    "Inburgeringstraject.MaatschappelijkeBegeleidingGestart",
    "Inburgeringstraject.MapEindgesprekGevoerd",
    "Inburgeringstraject.MapThemaAfgerond",
    "Inburgeringstraject.OntheffingVerleend",
    "Inburgeringstraject.OvertredingGeconstateerd",
    "Inburgeringstraject.ParticipatieverklaringOndertekend",
    "Inburgeringstraject.PersoonsgegevensVerwijderd",
    "Inburgeringstraject.PipGewijzigd",
    "Inburgeringstraject.PipVastgesteld",
    "Inburgeringstraject.RegisseurToegewezen",
    "Inburgeringstraject.TermijnVerlengd",
    "Inburgeringstraject.TolkvoorzieningToegekend",
    "Inburgeringstraject.TvsProfielOntvangen",
    "Inburgeringstraject.VerhuisdBinnenRegio",
    "Inburgeringstraject.VerhuisdBuitenRegio",
    "Inburgeringstraject.VoortgangsgesprekGemist",
    "Inburgeringstraject.VoortgangsgesprekGevoerd",
    "Inburgeringstraject.VrijstellingVerleend",
    "Inburgeringstraject.WarmeOverdrachtVervolgtrajectGehouden",
    "Inburgeringstraject.WelkomstprogrammaGestart",
    "Inburgeringstraject.ZRouteEindgesprekGevoerd",
    "Inburgeringstraject.ZienswijzeOntvangen",
    "Inburgeringstraject.ZienswijzetermijnVerstreken",
    "Opdracht.Verwerkt",
    "Persoonsregistratie.Aangemaakt",
    "Persoonsregistratie.TrajectAfgesloten",
    "Persoonsregistratie.TrajectGekoppeld",
}


def test_every_event_class_keeps_its_pinned_topic() -> None:
    assert {get_topic(klasse) for klasse in FEITSOORTEN} == GEPINDE_TOPICS


def test_every_fact_of_a_trajectory_names_its_legal_basis_and_says_what_it_means() -> None:
    for soort in TRAJECTFEITEN:
        assert soort.RECHTSGROND and soort.RECHTSGROND != "onbekend", soort.__qualname__  # type: ignore[attr-defined]
        assert soort.OMSCHRIJVING.endswith("."), soort.__qualname__  # type: ignore[attr-defined]
