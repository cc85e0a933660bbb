"""Train the tutorial's CNN, seeded and deterministic, logging to TensorBoard every epoch; save the
model (.keras), the test-split predictions and the layer table."""
import time

import pandas as pd

from mlviz.compute import cnn
from mlviz.compute.metrics import proba_columns
from mlviz.workflow.io import load_npz, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    p = smk.params.neural
    tf, keras = cnn.setup_tensorflow(p["seed"], smk.threads, p["device"], native_log=True)
    log.info("TensorFlow %s, Keras %s; GPUs visible: %s", tf.__version__, keras.__version__,
             [d.name for d in tf.config.list_logical_devices("GPU")] or "none (CPU)")
    data = load_npz(smk.input.images)
    n_classes = cnn.N_CLASSES
    model = cnn.build_cnn(keras, data["x_train"].shape[1:], n_classes)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=p["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    logdir = smk.output.tensorboard
    log.info("follow the training live: tensorboard --logdir %s", logdir)
    board = cnn.flushing_tensorboard(keras)(log_dir=logdir, histogram_freq=1, update_freq="epoch",
                                               profile_batch=0)
    progress = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: log.info(
        "epoch %d/%d: %s", epoch + 1, p["epochs"], ", ".join(f"{k}={v:.4f}" for k, v in sorted(logs.items()))))
    start = time.perf_counter()
    model.fit(data["x_train"], data["y_train"], validation_data=(data["x_val"], data["y_val"]),
              epochs=p["epochs"], batch_size=p["batch_size"], shuffle=True, verbose=0,
              callbacks=[board, progress])
    log.info("trained %d epochs in %.1f s", p["epochs"], time.perf_counter() - start)
    cnn.save_keras(model, smk.output.model)

    proba = model.predict(data["x_test"], batch_size=256, verbose=0)
    pred = pd.DataFrame({"y_true": data["y_test"], "y_pred": proba.argmax(axis=1)},
                        index=pd.Index(data["row_test"], name="row"))
    for i, col in enumerate(proba_columns([str(c) for c in range(n_classes)])):
        pred[col] = proba[:, i].astype("float64")
    write_parquet(pred, smk.output.predictions)
    write_parquet(cnn.layer_table(model), smk.output.layers)
    log.info("test accuracy %.4f on %d images", float((pred.y_true == pred.y_pred).mean()), len(pred))


run(main, snakemake)  # noqa: F821
