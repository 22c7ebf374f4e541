"""Quizzes: question types (grading registry), attempts and results."""
