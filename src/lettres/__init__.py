"""lettres : rédiger et envoyer les courriers du Collectif.

Le Collectif « Ensemble contre la traite des êtres humains ».
"""

__version__ = "0.1.0"
