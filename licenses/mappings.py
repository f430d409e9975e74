"""What the answers of a self-assessment mean under two other frameworks, for information only:
OSI's Open Source AI Definition 1.0 (OSAID, October 2024) and the Model Openness Framework's classes
(MOF, Linux Foundation AI & Data, 2024).

A framework's requirement is stated as met or not met only where the answers settle it; everything
else is "not determined by these answers". The readings, and the assumptions behind them:

OSAID 1.0 asks that an AI system be made available under terms that let anyone use, study, modify
and share it for any purpose, with the preferred form for making modifications: Data Information
(enough detail about the training data for a skilled person to build a substantially equivalent
system, including a complete description of all training data with its provenance, how it was
obtained, selected, labelled, processed and filtered, and lists of the public and third-party
training data with where to get them, under OSI-approved terms), Code (the complete source code used
to train and to run the system, under OSI-approved licenses) and Parameters (under OSI-approved
terms). OSAID allows copyleft. The answers settle: the freedoms, from the license's verdict on
Sections 3 to 6 of the Open Weights Definition, which ask the same of the weights; Parameters when
the license of the weights is itself an OSI-approved license (OSI has not said which other terms it
approves for parameters); a missing description of the training data, or missing or closed training
software. They never settle the whole of Data Information (labelling procedures and the lists are
not asked) or of Code (code for running, validating and testing the system is not asked), so OSAID
is at best "not determined" here.

The MOF's classes (III Open Model, II Open Tooling, I Open Science) each add components: III the
model architecture as code, the final parameters, the model card, the data card, the technical
report and evaluation results; II the training, inference and evaluation code and the evaluation
data; I the research paper, the datasets, the data preprocessing code and intermediate parameters.
Code must be under an OSI-approved license, documents under an open content license, data under an
open data license. The answers map onto a few components (final parameters, data card, training
and preprocessing code, inference code, datasets) and leave the others open, so a class is "not
met" when one of its components is known to fail, and "not determined" otherwise.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from . import expressions
from .assessment import Verdict

MET, NOT_MET, UNDETERMINED = "met", "not met", "not determined by these answers"


@dataclass(frozen=True)
class Component:
    name: str
    status: str
    reason: str

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class Reading:
    """One framework (or one class of it) read from the answers."""

    key: str
    name: str
    status: str
    summary: str
    components: tuple[Component, ...]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "summary": self.summary,
            "components": [component.as_dict() for component in self.components],
        }


def _overall(components) -> str:
    statuses = {component.status for component in components}
    if NOT_MET in statuses:
        return NOT_MET
    return MET if statuses == {MET} else UNDETERMINED


def _findings(verdict: Verdict) -> dict[tuple[str, str], bool]:
    return {(finding.section, finding.item): finding.met for finding in verdict.findings}


def _license_fails(verdict: Verdict, sections: tuple[str, ...]) -> list[str]:
    return sorted({f.section for f in verdict.findings if f.item == "license" and not f.met and f.section in sections})


def _osi(terms: str | None, known_ids: Mapping[str, str]) -> bool | None:
    """Whether terms are OSI-approved licenses (every one of an AND, one of an OR), None without terms."""
    if not terms:
        return None
    try:
        node = expressions.parse(terms, known_ids)
    except expressions.ExpressionError:
        return False
    return expressions.holds(node, lambda license: license.osi_approved)


def osaid(answers: dict, verdict: Verdict, known_ids: Mapping[str, str]) -> Reading:
    """Read the answers against the Open Source AI Definition 1.0."""
    findings = _findings(verdict)
    weights = answers["license"]
    failing = _license_fails(verdict, ("3", "4", "5", "6"))
    if failing:
        freedoms = Component(
            "Freedoms to use, study, modify and share",
            NOT_MET,
            f"The license of the weights, {weights}, fails Section{'s' if len(failing) > 1 else ''} "
            f"{', '.join(failing)} of the Open Weights Definition, which ask{'' if len(failing) > 1 else 's'} for the "
            "same freedoms for the weights that OSAID 1.0 asks for the system.",
        )
    elif any(f.item == "license" and not f.met for f in verdict.findings):
        freedoms = Component(
            "Freedoms to use, study, modify and share",
            UNDETERMINED,
            f"{weights} meets Sections 3 to 6 but not every other requirement on the license; OSAID 1.0 allows "
            "copyleft and says nothing of some of those, so its freedoms are not settled by these answers.",
        )
    else:
        freedoms = Component(
            "Freedoms to use, study, modify and share",
            MET,
            f"{weights} permits anyone to use, modify and redistribute the weights for any purpose (Sections 3 to 6 "
            "of the Open Weights Definition).",
        )
    if failing:
        parameters = Component(
            "Parameters",
            NOT_MET,
            f"{weights} does not grant the freedoms, so the parameters are not under OSI-approved terms.",
        )
    elif expressions.License(weights).osi_approved:
        parameters = Component("Parameters", MET, f"The weights are under {weights}, an OSI-approved license.")
    else:
        parameters = Component(
            "Parameters",
            UNDETERMINED,
            f"OSAID 1.0 asks for OSI-approved terms; {weights} is not on the OSI's list of approved licenses, and the "
            "OSI has not said which other terms for parameters it approves.",
        )
    if not findings.get(("8", "training_data")):
        data = Component(
            "Data Information",
            NOT_MET,
            "No description of the training data was given, and OSAID 1.0 asks for a complete one.",
        )
    else:
        lists = (
            "the training data itself is public"
            if verdict_optional(verdict, "training_data") == "met"
            else "the answers do not say whether the public and third-party training data are listed with where to "
            "obtain them"
        )
        data = Component(
            "Data Information",
            UNDETERMINED,
            "A description of the training data with its provenance and processing is given; OSAID 1.0 also asks "
            f"for its labelling procedures and for OSI-approved terms, and {lists}.",
        )
    software, terms = answers["evidence"]["training_software"], answers["training_software_license"]
    if not software or not findings.get(("8", "training_software_license")):
        code = Component(
            "Code",
            NOT_MET,
            "OSAID 1.0 asks for the complete code used to train the system under OSI-approved licenses; the training "
            + (
                "software is not available." if not software else f"software's license, {terms or 'none'}, is not open."
            ),
        )
    else:
        osi = _osi(terms, known_ids)
        runs = verdict_optional(verdict, "user_software") == "met"
        code = Component(
            "Code",
            UNDETERMINED,
            f"The training software is at {software} under {terms}"
            + ("" if osi else ", which is not an OSI-approved license (OSAID 1.0 asks for one)")
            + (", and the software for running the model is open" if runs else "")
            + f"; OSAID 1.0 also asks for the code used to {'validate' if runs else 'run, validate'} and test the "
            "system, which these answers do not cover.",
        )
    components = (freedoms, parameters, data, code)
    status = _overall(components)
    summary = {
        NOT_MET: "These answers show that the release does not meet OSAID 1.0.",
        UNDETERMINED: "These answers do not settle whether the release meets OSAID 1.0, which asks for more than "
        "they cover.",
        MET: "These answers meet every requirement of OSAID 1.0 they cover.",
    }[status]
    return Reading("osaid-1.0", "Open Source AI Definition 1.0 (OSI)", status, summary, components)


def verdict_optional(verdict: Verdict, criterion: str) -> str:
    return next((result.status for result in verdict.optional if result.criterion == criterion), "not stated")


# The MOF's components by class, each added to those of the classes below it.
MOF_CLASSES = (
    ("III", "Open Model", ("Model architecture", "Final model parameters", "Model card", "Data card",
                           "Technical report", "Evaluation results")),
    ("II", "Open Tooling", ("Training code", "Inference code", "Evaluation code", "Evaluation data")),
    ("I", "Open Science", ("Research paper", "Datasets", "Data preprocessing code", "Intermediate model parameters")),
)  # fmt: skip


def _mof_components(answers: dict, verdict: Verdict, known_ids: Mapping[str, str]) -> dict[str, Component]:
    findings = _findings(verdict)
    weights = answers["license"]
    not_covered = "Not covered by these answers."
    components = {name: Component(name, UNDETERMINED, not_covered) for _, _, names in MOF_CLASSES for name in names}
    components["Model architecture"] = Component(
        "Model architecture",
        UNDETERMINED,
        "The MOF asks for the architecture as code under an OSI-approved license; the answers give a description.",
    )
    license = expressions.License(weights)
    if _license_fails(verdict, ("3", "4", "5", "6")):
        parameters = Component(
            "Final model parameters",
            NOT_MET,
            f"{weights} is not an open license: it restricts use, modification or sharing.",
        )
    elif license.osi_approved or expressions.permits_reading_and_sharing(license) and license.on_spdx_list:
        parameters = Component("Final model parameters", MET, f"The weights are under {weights}, an open license.")
    else:
        parameters = Component(
            "Final model parameters",
            UNDETERMINED,
            f"{weights} meets the Open Weights Definition but is not among the licenses the MOF names.",
        )
    components["Final model parameters"] = parameters
    if findings.get(("8", "training_data")):
        terms_ok = findings.get(("8", "materials_license"))
        components["Data card"] = Component(
            "Data card",
            MET if terms_ok else NOT_MET,
            "The description of the training data (its sources, characteristics and processing) is "
            + ("published under open terms." if terms_ok else "not published under open terms."),
        )
    training = answers["evidence"]["training_software"]
    if not training or not findings.get(("8", "training_software_license")):
        code = Component(
            "Training code", NOT_MET, "The training software is not available under an open source license."
        )
    elif _osi(answers["training_software_license"], known_ids):
        code = Component(
            "Training code", MET, f"The training software is under {answers['training_software_license']}."
        )
    else:
        code = Component(
            "Training code",
            UNDETERMINED,
            "The training software is in the public domain, not under an OSI-approved license.",
        )
    components["Training code"] = code
    # The Definition's training software includes the software that prepared the training data.
    components["Data preprocessing code"] = Component("Data preprocessing code", code.status, code.reason)
    inference = verdict_optional(verdict, "user_software")
    if inference == "met":
        components["Inference code"] = Component("Inference code", MET, "The software for running the model is open.")
    elif inference == "not met":
        components["Inference code"] = Component(
            "Inference code", NOT_MET, "The software for running the model is not open, or has no URL."
        )
    if verdict_optional(verdict, "training_data") == "met":
        components["Datasets"] = Component(
            "Datasets",
            MET,
            f"The training data is published at {answers['optional']['training_data']['url']} under open terms.",
        )
    return components


def mof(answers: dict, verdict: Verdict, known_ids: Mapping[str, str]) -> list[Reading]:
    """Read the answers against the MOF's three classes, III (the lowest) first."""
    components = _mof_components(answers, verdict, known_ids)
    readings, required = [], []
    for number, name, names in MOF_CLASSES:
        own = [components[component] for component in names]
        required += own
        status = _overall(required)
        if status == MET:  # some components are never covered: a class cannot be met from these answers
            status = UNDETERMINED
        below = {"III": "", "II": " (its own and Class III's)", "I": " (its own and those of Classes II and III)"}[
            number
        ]
        summary = {
            NOT_MET: f"Class {number} is not met: a component it requires{below} is missing or not open.",
            UNDETERMINED: f"Class {number} is not determined by these answers: they do not cover all its "
            f"components{below}.",
        }[status]
        # Each class lists the components it adds; its status counts those of the classes below it too.
        readings.append(
            Reading(f"mof-class-{number.lower()}", f"MOF Class {number}: {name}", status, summary, tuple(own))
        )
    return readings


def read_all(answers: dict, verdict: Verdict, known_ids: Mapping[str, str]) -> list[Reading]:
    """Every reading: OSAID 1.0, then the MOF's classes III, II and I."""
    return [osaid(answers, verdict, known_ids), *mof(answers, verdict, known_ids)]
