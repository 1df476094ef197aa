/**
 * The OpenAI chat-completions protocol as records: requests read strictly (an unknown field is an error), responses,
 * stream chunks, OpenAI-style error objects, and the {@code subterra} extension that carries the node tag.
 */
package dev.subterra.serving.protocol;
