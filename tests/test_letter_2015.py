"""The letter of 21 April 2015 to the Minister of the Interior, rebuilt from its source.

The expected text is written here by hand from ../shared/exemples/lettre-2015-04-21-interieur.txt:
its typos corrected ("Objet", "Veuillez", "P. J.", "ci-joint", capitals and accents), the
wording the source chose kept ("Veuillez agréer", "l'assurance"), French typography applied,
and the copies and address as the directory words them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from tests.helpers import SOURCE_2015, docx_paragraphs
from tests.helpers import Invoke as Run

SOURCE = SOURCE_2015
NB = "\u00a0"  # no-break space
COLLECTIF = f"Collectif «{NB}Ensemble contre la traite des êtres humains{NB}»"

RECIPIENT = [f"Monsieur{NB}Bernard{NB}Cazeneuve", "Ministre de l'Intérieur", "Place Beauvau",
             "75800 PARIS CEDEX 08"]  # fmt: skip
DATE = f"Paris, le 21{NB}avril{NB}2015"
SUBJECT = (
    f"Objet{NB}: Vos engagements dans la lutte contre la traite des êtres humains, un an après "
    "le lancement du premier Plan d'action national"
)
REFERENCE = f"N/Réf.{NB}: CTEH/2015/001"  # the first letter of 2015 in the register
APPELLATION = "Monsieur le Ministre,"
BODY = [
    f"Vous aviez reçu les représentants du {COLLECTIF}, le 23{NB}septembre{NB}2014 (compte rendu "
    "ci-joint). Vous nous aviez fait alors très clairement part de votre volonté de lutter "
    "résolument contre la traite des êtres humains, en appliquant des principes d'action de "
    "clarté et de rationalité.",
    "Vous nous aviez notamment annoncé la transmission d'une circulaire à destination des "
    "préfets, leur fixant au titre de leurs objectifs prioritaires la lutte contre la traite et "
    "le règlement des dysfonctionnements en matière de protection des victimes.",
    f"Monsieur{NB}Raphaël Sodini, membre de votre cabinet que vous nous aviez désigné comme "
    "correspondant sur la traite et que nous avons rencontré, nous avait confirmé qu'un courrier "
    "devait être adressé aux préfets avant la fin de l'année 2014.",
    "Ces consignes de votre ministère nous apparaissent indispensables pour pouvoir envisager la "
    "mise en œuvre de la mesure 22 du plan national de lutte contre la traite des êtres humains, "
    "la constitution de coordinations interinstitutionnelles à l'échelle du département et en "
    "coordination régionale.",
    "Nous sommes en effet très inquiets de constater qu'un an bientôt après son adoption, le plan "
    "national de lutte contre la traite des êtres humains a très peu d'effets concrets sur le "
    f"terrain. Le ministère de la Justice, dans sa circulaire du 22{NB}janvier{NB}2015, précise sa "
    "politique pénale en matière de lutte contre la traite des êtres humains. Nous espérons que "
    "le ministère de l'Intérieur va également rendre visible sa volonté d'agir dans ce domaine.",
    "Nous voyons tous les jours sur le terrain des victimes qui ont de grandes difficultés à "
    "faire valoir leurs droits, des situations d'exploitation et d'atteinte à la dignité humaine "
    "contraires aux principes éthiques que vous avez affirmés lors de notre rencontre et que nous "
    "partageons.",
    "Nous savons que votre ministère a dû gérer les tragiques conséquences des attentats de "
    "janvier. Nous espérons cependant que la lutte contre la traite, qui concerne aussi les "
    "réseaux criminels internationaux, reste à l'ordre du jour.",
    "Nous souhaitons que la circulaire prévue aux préfets soit diffusée au plus vite et vous "
    "proposons de faire le point avec vous sur les avancées et les blocages en matière de traite "
    "des êtres humains, concernant le ministère de l'Intérieur.",
    f"Geneviève Colas, coordinatrice du {COLLECTIF}, se tient à votre disposition pour organiser "
    f"une rencontre avec vous et faire le point sur les engagements pris en septembre{NB}2014.",
]
CLOSING = "Veuillez agréer, Monsieur le Ministre, l'assurance de ma très haute considération."
# Names stay whole on the signature's narrow lines: their spaces do not break.
SIGNATURE = [f"Véronique{NB}Fayet",
             f"Présidente du Secours{NB}Catholique{NB}–{NB}Caritas{NB}France",
             f"Pour le Collectif «{NB}Ensemble{NB}contre{NB}la{NB}traite{NB}des{NB}êtres"
             f"{NB}humains{NB}»"]  # fmt: skip
ENCLOSURE = f"P.{NB}J.{NB}: Synthèse de la rencontre du 23{NB}septembre{NB}2014"
COPIES = [
    f"Copies{NB}:",
    f"–{NB}Madame{NB}Elisabeth{NB}Moiron-Braud, Secrétaire générale de la Mission interministérielle "
    "pour la protection des femmes contre les violences et la lutte contre la traite des êtres "
    "humains (MIPROF)",
    f"–{NB}Monsieur{NB}Eric{NB}Panloup, Coordinateur national «{NB}Lutte contre la traite des êtres "
    f"humains{NB}»",
    f"–{NB}Madame{NB}Christine{NB}Lazerges, Présidente de la Commission nationale consultative des "
    "droits de l'homme (CNCDH), Rapporteure nationale sur la traite des êtres humains",
    f"–{NB}Monsieur{NB}Nicolas{NB}Le{NB}Coz, Président du GRETA, Groupe d'experts du Conseil de l'Europe "
    "sur la lutte contre la traite des êtres humains",
    f"–{NB}Madame{NB}Myria{NB}Vassiliadou, Coordinatrice de l'Union européenne pour la lutte contre la "
    "traite des êtres humains",
]
MEMBERS = [
    f"Associations membres du {COLLECTIF}{NB}:",
    "Action Catholique des Femmes, Agir Ensemble pour les Droits de l'Homme, Amicale du Nid, "
    "Armée du Salut, Agir Contre la Prostitution des Enfants, AFJ, Association Jeunes Errants, "
    "Association pour la Réadaptation Sociale, Comité Contre l'Esclavage Moderne, Comité "
    "Protestant évangélique pour la Dignité Humaine, Congrégation des Sœurs du Bon Pasteur, "
    "Conseil Français des Associations pour les Droits de l'Enfant, ECPAT France, Fédération de "
    "l'Entraide Protestante, Fondation Scelles, Hors la rue, Justice et Paix France, Les Champs "
    "de Booz, Mouvement du Nid, Organisation Internationale Contre l'Esclavage Moderne, "
    "Orphelins Sans Frontières, Planète Enfants, Secours Catholique - Caritas France.",
    f"Coordination{NB}: Geneviève Colas – genevieve.colas@secours-catholique.org – 06 71 00 69 90",
]


@pytest.fixture
def rebuilt(run: Run, workspace: Path) -> docx.document.Document:
    folder = workspace / "courriers" / "2015-04-21-interieur"
    folder.mkdir(parents=True)
    shutil.copy(SOURCE / "lettre.md", folder / "lettre.md")
    result = run("draft", str(folder / "lettre.md"), "--format", "docx")
    assert result.exit_code == 0, result.output
    return docx.Document(str(folder / "lettre.docx"))


def texts(document: docx.document.Document, style: str) -> list[str]:
    paragraphs = docx_paragraphs(document)
    return [p.text for p in paragraphs if p.style is not None and p.style.name == style]


def test_every_part_of_the_letter(rebuilt: docx.document.Document) -> None:
    assert texts(rebuilt, "Lettre – Destinataire") == RECIPIENT
    assert texts(rebuilt, "Lettre – Date") == [DATE]
    assert texts(rebuilt, "Lettre – Objet") == [SUBJECT, REFERENCE]
    assert texts(rebuilt, "Lettre – Appel") == [APPELLATION]
    assert texts(rebuilt, "Lettre – Corps") == BODY
    assert texts(rebuilt, "Lettre – Formule") == [CLOSING]
    assert texts(rebuilt, "Lettre – Signature") == SIGNATURE
    assert texts(rebuilt, "Lettre – Annexes") == [ENCLOSURE, *COPIES]
    assert texts(rebuilt, "Lettre – Membres") == MEMBERS


def test_parts_in_the_order_of_a_french_letter(rebuilt: docx.document.Document) -> None:
    body = [p.text for p in docx_paragraphs(rebuilt) if p.text]
    letterhead = body[: body.index(RECIPIENT[0])]
    assert letterhead[0] == COLLECTIF
    expected = [*RECIPIENT, DATE, SUBJECT, REFERENCE, APPELLATION, *BODY, CLOSING, *SIGNATURE, ENCLOSURE,
                *COPIES, *MEMBERS]  # fmt: skip
    assert body[len(letterhead) :] == expected


def test_document_properties(rebuilt: docx.document.Document) -> None:
    properties = rebuilt.core_properties
    assert properties.title == SUBJECT.removeprefix(f"Objet{NB}: ")
    assert properties.author == COLLECTIF
    assert properties.language == "fr-FR"
    assert properties.created is not None and properties.created.date().isoformat() == "2015-04-21"
