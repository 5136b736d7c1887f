"""A greeting, a fallback or a topic question that names an office and a place is a request.

"Hallo, где джобцентр в Essen?" or "Guten Tag, wo ist der Jugendmigrationsdienst in
Wuppertal?" read to a bag-of-features classifier mostly as a greeting; the person gets
"Hello, how can I help?" for a question they have just asked. This component runs after
the gazetteer: when the top intent is one of REQUEST_LIKE and the message names an office
type, the intent becomes ``find_office`` (keeping the classifier's confidence, and its
ranking below). Office names are not greetings, so this cannot turn a plain "hello" into
a request.

Topic questions are the second case: "where is the recognition counselling in Dortmund?"
or "مكتب معادلة الشهادات بهاغن وين؟" read as the *recognition* topic, and the person gets
a general text about recognition instead of the office's address. When a topic intent's
own office (TOPIC_OFFICES) is named together with a city or postcode, the person asks for
that office, so the intent becomes ``find_office`` too. Without a place the topic answer
stays: "can the recognition counselling help me?" is a question about the topic.

Third, a responsibility question, a statement or an off-topic message that names
exactly one office and a place (PLACE_REQUEST_LIKE) asks for that office. A
responsibility question keeps its intent ("which Jobcenter is responsible for me in
Hagen?" is a question about responsibility, and staff reading the logs should see it as
one); it gets an ``office_request`` entity instead (value: the office type), and the rule
"a responsibility question naming one office and a place" (data/stories/guidance.yml)
answers it with the card like ``find_office``. Without that entity it starts the guidance
form as before, so "Jobcenter or Agentur in Herne?" still gets the questions; and a
message read as an office request that names two offices with an "or" ("мне джобцентр
нужен или арбайтсамт?", data/gazetteer/questions.yml ``choices``) becomes such a
responsibility question: the person asks which door, not for two addresses.

Fourth, people describe the office by what it does: "who issues residence permits in
Hagen?", "wo beantrage ich Bürgergeld in Essen?". The gazetteer finds such *tasks*
(``office_task`` entities, data/gazetteer/office_types.yml ``tasks``); when the message
names no office itself, its tasks point to exactly one office type and it names a place
(or it already asks for an office), that office type is added as an ``office_type``
entity and the rules above apply; a message read as a statement counts only when it asks
(a question mark or a question word, bot/nlu/questions.py). The ``office_task`` entities
are always removed: they are not in the domain, and a task alone ("can I work with my
residence permit?") is a topic question, not an office request. A residence permit in a
message about work ("I have a residence permit and want to work in Oberhausen, where do I
go?") describes the person, not the office they ask for (TASKS_NOT_FOR_WORK); the work
words are the guidance form's (data/guidance/keywords/), in the language the detector
decided, which is why this component runs after the language detector.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.guidance.answers import mentions
from bot.nlu.intent_ranking import set_top_intent
from bot.nlu.questions import is_question, offers_choice

#: Intents that a message naming an office is better served as ``find_office``.
REQUEST_LIKE = frozenset({"greet", "thank", "help", "nlu_fallback"})
#: Intents that, with exactly one office and a place, ask for that office: "which
#: Jobcenter is responsible for me in Hagen?" is answered by the Hagen Jobcenter's card,
#: and "refugee counselling Oberhausen" is no answer about oneself. On the development
#: sets such messages were office requests 26 times, other intents 7 times, and those
#: 7 ("I'm moving to Hagen, which Jobcenter will be responsible?") are answered by the
#: card too. In the guidance form the form reads every answer, whatever the intent.
#: Later, on the three development sets, messages with one office and a place read as
#: request_human (4: "I want to talk to someone from the Integration Point Bielefeld"),
#: affirm (2: "wo is dat JC in Gelsen?") or stop (1) were all office requests; the card
#: carries the phone number a person asks for. Not deny or goodbye ("no, not the
#: Jobcenter in Essen", "bye, I'm off to the Jobcenter in Essen").
PLACE_REQUEST_LIKE = frozenset(
    {"ask_responsibility", "inform", "out_of_scope", "request_human", "affirm", "stop"}
)
#: Of these, the intents that stay and are marked with an OFFICE_REQUEST entity instead.
MARKED_NOT_REWRITTEN = frozenset({"ask_responsibility"})
OFFICE_REQUEST = "office_request"
#: Topic intents, and the office types that (with a place) make them an office request.
TOPIC_OFFICES: Dict[str, FrozenSet[str]] = {
    "ask_recognition": frozenset({"recognition_counselling"}),
    "ask_work_permit": frozenset({"immigration_office"}),
    "ask_job_search": frozenset({"employment_agency", "jobcenter"}),
    "ask_apprenticeship": frozenset({"youth_employment_agency", "employment_agency"}),
}
PLACES = frozenset({"city", "postal_code"})
FIND_OFFICE = "find_office"
#: A request naming two offices with an "or" asks which of them is responsible. Also
#: when read as a goodbye or off-topic ("не знаю до кого мені: до ауслендерки чи до
#: джоба?" read as goodbye); not statements (an answer in the guidance form), topic
#: questions, or intents that end something (stop, deny, delete_my_data).
RESPONSIBILITY = "ask_responsibility"
CHOICE_LIKE = frozenset({FIND_OFFICE, "goodbye", "out_of_scope"})
#: Intents for which an office described by its task counts as named (with a place);
#: topic intents too when the task is their own office's (TOPIC_OFFICES). ``inform``
#: only when the message is a question (STATEMENT): a statement with a task tells the
#: person's status ("I have a Duldung and live in Oberhausen", "ich lebe in Duisburg und
#: bekomme kein Bürgergeld"), while "Куда подавать на бюргергельд в Бохуме?" read as a
#: statement asks for the office.
TASK_REQUEST_LIKE = REQUEST_LIKE | {FIND_OFFICE, "ask_responsibility", "out_of_scope"}
STATEMENT = "inform"
TASK = "office_task"
#: Tasks that, in a message about finding work, describe the person's status instead.
TASKS_NOT_FOR_WORK = frozenset({"immigration_office"})


def office_from_task(
    intent: Dict[str, Any] | None,
    entities: List[Dict[str, Any]],
    text: str = "",
    language: str | None = None,
) -> Dict[str, Any] | None:
    """The ``office_type`` entity a message implies by naming an office's task, if any."""
    name = (intent or {}).get("name")
    if any(e.get("entity") == "office_type" for e in entities):
        return None
    tasks = [e for e in entities if e.get("entity") == TASK]
    if len({e.get("value") for e in tasks}) != 1:
        return None
    value = tasks[0].get("value")
    asks = name in TASK_REQUEST_LIKE or (name == STATEMENT and is_question(text, language))
    if not asks and value not in TOPIC_OFFICES.get(name or "", ()):
        return None
    has_place = any(e.get("entity") in PLACES for e in entities)
    if not (has_place or name == FIND_OFFICE):
        return None
    if value in TASKS_NOT_FOR_WORK and mentions("goal", "job", text, language):
        return None
    return {**tasks[0], "entity": "office_type", "extractor": OfficeRequestClassifier.__name__}


def as_office_request(intent: Dict[str, Any] | None, entities: List[Dict[str, Any]]) -> bool:
    """True if a message with this intent and these entities should be ``find_office``."""
    name = (intent or {}).get("name")
    offices = {e.get("value") for e in entities if e.get("entity") == "office_type"}
    if name in REQUEST_LIKE:
        return bool(offices)
    has_place = any(e.get("entity") in PLACES for e in entities)
    if name in PLACE_REQUEST_LIKE:
        return has_place and len(offices) == 1
    if name in TOPIC_OFFICES:
        return has_place and bool(offices & TOPIC_OFFICES[name])
    return False


def office_request(entities: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The entity that marks a message as asking for the (one) office it names."""
    office = next(e for e in entities if e.get("entity") == "office_type")
    return {
        "entity": OFFICE_REQUEST,
        "value": office.get("value"),
        "start": office.get("start"),
        "end": office.get("end"),
        "extractor": OfficeRequestClassifier.__name__,
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OfficeRequestClassifier(GraphComponent):
    """Turns a greeting/fallback/topic question that asks for an office into ``find_office``.

    A responsibility question that asks for one office keeps its intent and gets an
    ``office_request`` entity (see the module doc).
    """

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OfficeRequestClassifier:
        """No state: the rule needs only the message."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Rewrite the intent of each message that asks for an office (see module doc)."""
        for message in messages:
            language = (message.get("language") or {}).get("code")
            self._request(message, language)
            intent = message.get(INTENT) or {}
            entities = message.get(ENTITIES) or []
            if intent.get("name") in CHOICE_LIKE and asks_which_office(
                entities, message.get(TEXT) or "", language
            ):
                set_top_intent(message, RESPONSIBILITY, float(intent.get("confidence") or 0.0))
        return messages

    @staticmethod
    def _request(message: Message, language: str | None) -> None:
        intent = message.get(INTENT)
        entities = message.get(ENTITIES) or []
        implied = office_from_task(intent, entities, message.get(TEXT) or "", language)
        if implied or any(e.get("entity") == TASK for e in entities):
            entities = [e for e in entities if e.get("entity") != TASK]
            entities += [implied] if implied else []
            message.set(ENTITIES, entities, add_to_output=True)
        if not as_office_request(intent, entities):
            return
        if (intent or {}).get("name") in MARKED_NOT_REWRITTEN:
            message.set(ENTITIES, [*entities, office_request(entities)], add_to_output=True)
            return
        set_top_intent(message, FIND_OFFICE, float(intent.get("confidence") or 0.0))


def asks_which_office(entities: List[Dict[str, Any]], text: str, language: str | None) -> bool:
    """True if the message offers a choice between two offices ("Jobcenter oder Agentur?")."""
    offices = {e.get("value") for e in entities if e.get("entity") == "office_type"}
    return len(offices) >= 2 and offers_choice(text, language)
