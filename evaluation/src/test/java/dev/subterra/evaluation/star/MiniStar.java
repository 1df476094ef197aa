package dev.subterra.evaluation.star;

import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.imports.StarImporter;
import java.nio.charset.StandardCharsets;

/** A small STAR schema in the corpus's format, and dialogues of it, for the benchmark's unit tests. */
final class MiniStar {
  static final String SCHEMA = """
      {"task": "hotel_book",
       "replies": {
         "user_hello": "Hello.",
         "hello": "Hello, how can I help?",
         "user_hotel_book_ask_book": "I'd like to book a room.",
         "ask_name": "May I have your name?",
         "user_hotel_book_inform_name": "My name is [NAME].",
         "query_check": "[QUERY_CHECK]",
         "db_hotel_available": "[RESULT] APIName = hotel_book ; HotelName = [HOTEL_NAME] ; Message = Available ; ",
         "db_hotel_unavailable": "[RESULT] APIName = hotel_book ; Message = Unavailable ; ",
         "hotel_ask_confirm_booking": "The {hotel_name:s} has a room, shall I book it?",
         "user_hotel_book_inform_book": "Yes, book it",
         "hotel_unavailable": "Sorry, there is no room.",
         "goodbye_1": "Thank you and goodbye.",
         "out_of_scope": "I do not understand."
       },
       "graph": {
         "user_hello": "hello",
         "user_hotel_book_ask_book": "ask_name",
         "user_hotel_book_inform_name": "query_check",
         "db_hotel_available": "hotel_ask_confirm_booking",
         "db_hotel_unavailable": "hotel_unavailable",
         "user_hotel_book_inform_book": "goodbye_1"
       },
       "r_graph": {
         "user_hotel_book_ask_book": "hello",
         "user_hotel_book_inform_name": "ask_name",
         "db_hotel_available": "query_check",
         "db_hotel_unavailable": "query_check",
         "user_hotel_book_inform_book": "hotel_ask_confirm_booking"
       }}
      """;

  /** A happy dialogue: hello, a free-text question, ask_name, a Check query that finds a room, confirm. */
  static final String DIALOGUE = """
      {"DialogueID": 7,
       "Scenario": {"Happy": true, "MultiTask": false,
                    "WizardCapabilities": [{"Domain": "hotel", "Task": "hotel_book"}]},
       "Events": [
         {"Agent": "UserGuide", "Action": "instruct", "Text": "Book a room."},
         {"Agent": "User", "Action": "utter", "Text": "Hi there"},
         {"Agent": "Wizard", "Action": "request_suggestions", "Text": "Hello"},
         {"Agent": "Wizard", "Action": "pick_suggestion", "ActionLabel": "hello", "Text": "Hello, how can I help?"},
         {"Agent": "User", "Action": "utter", "Text": "A room at the Hilton please"},
         {"Agent": "Wizard", "Action": "utter", "Text": "Sure."},
         {"Agent": "Wizard", "Action": "pick_suggestion", "ActionLabel": "ask_name", "Text": "Your name?"},
         {"Agent": "User", "Action": "utter", "Text": "Ana"},
         {"Agent": "Wizard", "Action": "query", "APIName": "hotel_book",
          "Constraints": [{"Name": "\\"Hilton\\""}, {"CustomerName": "api.is_equal_to(\\"Ana\\")"},
                          {"RequestType": "\\"Check\\""}]},
         {"Agent": "KnowledgeBase", "Action": "return_item", "APIName": "hotel_book",
          "Item": {"APIName": "hotel_book", "HotelName": "Hilton", "Message": "Available", "id": 3}},
         {"Agent": "Wizard", "Action": "pick_suggestion", "ActionLabel": "hotel_ask_confirm_booking",
          "Text": "The Hilton has a room, shall I book it?"},
         {"Agent": "User", "Action": "utter", "Text": "Yes"},
         {"Agent": "Wizard", "Action": "query", "APIName": "hotel_book", "Constraints": [{"Name": "\\"Hilton\\""}]},
         {"Agent": "User", "Action": "complete"}
       ]}
      """;

  private MiniStar() {}

  static byte[] schemaBytes() {
    return SCHEMA.getBytes(StandardCharsets.UTF_8);
  }

  static Workflow workflow() throws Exception {
    return StarImporter.importBytes("mini.json", schemaBytes(), null).workflow();
  }

  static StarDialogue dialogue() {
    return StarCorpus.parse("7.json", DIALOGUE.getBytes(StandardCharsets.UTF_8));
  }
}
