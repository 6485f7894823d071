"""Data sets: the text's toy data (:mod:`.toy`) and real data sets and CSV files (:mod:`.real`)."""

from .real import (MAX_AUTO_CLASSES, REAL_DATASETS, Dataset, apply_preprocessing, decode_labels,
                   encode_target, fit_standardizer, fit_target_standardizer, load_csv,
                   load_dataset, read_csv, standardize_target)
from .toy import TOY_DATASETS, WITH_N_CLASSES, generate_toy_dataset

__all__ = ["Dataset", "MAX_AUTO_CLASSES", "REAL_DATASETS", "apply_preprocessing",
           "decode_labels", "encode_target", "fit_standardizer", "fit_target_standardizer",
           "load_csv", "load_dataset", "read_csv", "standardize_target",
           "TOY_DATASETS", "WITH_N_CLASSES", "generate_toy_dataset"]
