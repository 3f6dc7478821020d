"""Forecasting models."""

from base_attentive.models.base_attentive import BaseAttentive

__all__ = ["BaseAttentive"]
