"""Commands: what a user asks of a trajectory, in the imperative. The aggregate decides.

Each command refers to the aggregate method that carries it out (go-to-definition and a rename follow
it); its fields are that method's keyword arguments, so a command is the method call written down
(tests/domain/test_commandos.py holds both to that). One module per phase, like domain/traject/; this
package names them all, so `commandos.RegistreerKennisgeving` reads the same wherever it is used.
"""

from domain.commandos.basis import (
    Commando,
    StartCommando,
    StartNaKennisgeving,
    StartNaTvsProfiel,
)
from domain.commandos.handhaving import (
    BeslisOpBezwaar,
    ConstateerOvertreding,
    LegBoeteOp,
    OntvangBezwaar,
    OntvangZienswijze,
    RegistreerBijstandsverlaging,
    StelZienswijzetermijnVerstrekenVast,
    VerzendBoetevoornemen,
    ZaakCommando,
    ZieAfVanBoete,
)
from domain.commandos.intake import (
    HoudBredeIntake,
    RegistreerCoaWarmeOverdracht,
    RegistreerHuisvesting,
    RegistreerKennisgeving,
    RegistreerKennismakingsgesprek,
    RegistreerLeerbaarheidstoets,
    StartWelkomstprogramma,
    VerleenLeerbaarheidstoetsOntheffing,
    VerzendIntakeOproep,
    VoltooiIntakeInAfwezigheid,
)
from domain.commandos.ondersteuning import (
    KenTolkvoorzieningToe,
    StartFinancieelOntzorgen,
    StartMaatschappelijkeBegeleiding,
)
from domain.commandos.pip import (
    SchaalAfNaarA2,
    StelPipVast,
    WijzigLeerroute,
    WijzigPip,
)
from domain.commandos.uitvoering import (
    DraagWarmOverAanVervolgtraject,
    OndertekenParticipatieverklaring,
    RegistreerCertificaat,
    RegistreerCursusuren,
    RegistreerDiploma,
    RegistreerExamenresultaat,
    RegistreerVoortgangsgesprek,
    RondMapThemaAf,
    StelPlichtVoldaanVast,
    VoerMapEindgesprek,
    VoerZRouteEindgesprek,
)
from domain.commandos.verloop import (
    Corrigeer,
    RegistreerDuoBoete,
    RegistreerOntheffing,
    RegistreerTermijnverlenging,
    RegistreerVrijstelling,
    VerhuisBinnenRegio,
    VerhuisBuitenRegio,
    VerwijderPersoonsgegevens,
    WijsRegisseurToe,
)

__all__ = [
    "BeslisOpBezwaar",
    "Commando",
    "ConstateerOvertreding",
    "Corrigeer",
    "DraagWarmOverAanVervolgtraject",
    "HoudBredeIntake",
    "KenTolkvoorzieningToe",
    "LegBoeteOp",
    "OndertekenParticipatieverklaring",
    "OntvangBezwaar",
    "OntvangZienswijze",
    "RegistreerBijstandsverlaging",
    "RegistreerCertificaat",
    "RegistreerCoaWarmeOverdracht",
    "RegistreerCursusuren",
    "RegistreerDiploma",
    "RegistreerDuoBoete",
    "RegistreerExamenresultaat",
    "RegistreerHuisvesting",
    "RegistreerKennisgeving",
    "RegistreerKennismakingsgesprek",
    "RegistreerLeerbaarheidstoets",
    "RegistreerOntheffing",
    "RegistreerTermijnverlenging",
    "RegistreerVoortgangsgesprek",
    "RegistreerVrijstelling",
    "RondMapThemaAf",
    "SchaalAfNaarA2",
    "StartCommando",
    "StartFinancieelOntzorgen",
    "StartMaatschappelijkeBegeleiding",
    "StartNaKennisgeving",
    "StartNaTvsProfiel",
    "StartWelkomstprogramma",
    "StelPipVast",
    "StelPlichtVoldaanVast",
    "StelZienswijzetermijnVerstrekenVast",
    "VerhuisBinnenRegio",
    "VerhuisBuitenRegio",
    "VerleenLeerbaarheidstoetsOntheffing",
    "VerwijderPersoonsgegevens",
    "VerzendBoetevoornemen",
    "VerzendIntakeOproep",
    "VoerMapEindgesprek",
    "VoerZRouteEindgesprek",
    "VoltooiIntakeInAfwezigheid",
    "WijsRegisseurToe",
    "WijzigLeerroute",
    "WijzigPip",
    "ZaakCommando",
    "ZieAfVanBoete",
]
