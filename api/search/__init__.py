"""The query side: query understanding, retrieval over Qdrant, ranking, abstention, highlights."""
