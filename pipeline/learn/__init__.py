"""Training and evaluation, never imported by the runtime: train_* write pipeline/model_files/,
eval_* score public data in ../shared/eval and check the floors pinned in floors/.
"""
