"""The parameter and attribute sections shared by both estimators' docstrings."""

_PARAMS_DOC = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : str or list of str, default='relu'
        Hidden-layer activation: scikit-learn's 'identity', 'logistic', 'tanh',
        'relu', or any name of :data:`lucidnet.ACTIVATIONS` ('leaky_relu', 'elu',
        'softplus', ...).  *lucidnet extra*: a list gives one per hidden layer.
    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop', 'adamw'}, default='adam'
        'lbfgs' is scipy's L-BFGS-B; 'rmsprop' (decay rate ``beta_2``) and
        'adamw' (decay ``weight_decay``) are lucidnet extras.
    alpha : float, default=0.0001
        L2 penalty ``alpha/2 * sum W**2 / n_samples`` (``sum(sample_weight)``).
    batch_size : int or 'auto', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``.  Not used by 'lbfgs'.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule of the step size, used by solver='sgd' only (as in scikit-learn):
        'invscaling' is ``learning_rate_init / (t + 1) ** power_t`` (t: samples
        seen); 'adaptive' divides it by 5 whenever ``n_iter_no_change`` epochs
        fail to improve by ``tol``.
    learning_rate_init : float, default=0.001
        Initial step size eta (stochastic solvers).
    power_t : float, default=0.5
        Exponent of 'invscaling'.
    max_iter : int, default=200
        Epochs (stochastic solvers) or iterations (lbfgs).
    shuffle : bool, default=True
        Reshuffle the samples every epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        As in scikit-learn: ``sklearn.utils.check_random_state(random_state)``
        draws the initial weights, then the early-stopping split, then one
        shuffle per epoch, in scikit-learn's order, so the same value gives
        ``MLPClassifier``'s model (an int restarts the stream at every ``fit``
        and ``partial_fit``; None uses NumPy's global RandomState).  Dropout
        (an extra) seeds its Generator from it after the weights.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress; lbfgs' ``gtol``.
    verbose : bool, default=False
        Print the loss of each iteration.
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    momentum : float in [0, 1], default=0.9
        Momentum of solver='sgd'.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum (solver='sgd' with momentum > 0).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best weights are kept (stochastic solvers).
    validation_fraction : float, default=0.1
        Share held out for early stopping.
    beta_1, beta_2 : float in [0, 1), default=0.9, 0.999
        Adam's moment decay rates.
    epsilon : float, default=1e-8
        Adam's (and RMSProp's) numerical-stability constant.
    n_iter_no_change : int, default=10
        Epochs without progress (by ``tol``) before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of solver='lbfgs'.
    dropout : float or list of float, default=0.0
        *lucidnet extra*: inverted-dropout rate after each hidden layer (one
        value, or one per hidden layer).  Needs a stochastic solver.
    weight_decay : float, default=0.01
        *lucidnet extra*: decoupled weight decay of solver='adamw' (only).
    callbacks : list of callable, default=None
        *lucidnet extra*: each is called as ``callback(estimator)`` after every
        epoch of a stochastic solver (after scikit-learn's own stopping
        bookkeeping, so ``loss_curve_``, ``validation_scores_`` ... are up to
        date); one that returns True stops training.
    output_activation : str, default=None
        *lucidnet extra*: the output layer's activation instead of
        scikit-learn's choice (see the estimator's notes for what is allowed).
"""

_ATTRS_DOC = """
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has column names)
    n_outputs_, n_layers_ : int
    out_activation_ : str
        scikit-learn's name of the output activation.
    coefs_ : list of ndarray (n_in, n_out)
        Views of the layers' ``W.T``; ``intercepts_`` views of ``b``, (n_out,).
    loss_ : float
        Last training loss; ``loss_curve_`` one per epoch (stochastic solvers).
    best_loss_, validation_scores_, best_validation_score_ :
        As in scikit-learn (stochastic solvers).
    validation_loss_curve_ : list of float
        *lucidnet extra*, with ``early_stopping``: the loss (with the alpha
        penalty, as in ``loss_curve_``) on the held-out part after every epoch.
    n_iter_, t_ : int
        Iterations run; samples seen.
    net_ : lucidnet.NeuralNetwork
        The underlying network (column-wise; save it with ``net_.save(path)``).
"""

_CONVENTIONS_DOC = """
    The estimators follow scikit-learn's conventions where they differ from
    the rest of lucidnet (SPEC), so that the same ``random_state`` gives the
    same model: randomness comes from the ``numpy.random.RandomState`` of
    ``sklearn.utils.check_random_state(random_state)`` (the global one for
    None), drawn in scikit-learn's order (weights, then the early-stopping
    split, then one shuffle per epoch) -- the one documented exception to
    lucidnet's Generator rule; weights *and biases* start from
    ``U(-r, r)``, ``r = sqrt(6 / (n_in + n_out))`` (2 instead of 6 for a
    logistic network); probabilities are clipped at the machine epsilon
    before the log; the momentum and Adam updates are scikit-learn's forms
    (see ``lucidnet.sklearn._optimizers``); the loss of an epoch is the mean of
    its batch losses weighted by batch size, each taken before its update.
    The core (``NeuralNetwork``) keeps SPEC's conventions and its
    ``torch.optim`` update forms.
"""
