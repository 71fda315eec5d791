"""Text analysis for the article loader: documents, sentences, mentions, numbers, dates, relations."""
